import AuditLog
import Foundation
import GRDB
import RecordStore
import Vault

extension AssistantStore: RecordExporting {
    public var sealedColumns: [SealedColumn] { AssistantSchema.sealedColumns }

    /// Writes every ticket as one JSON line. Decrypted: text and e-mail in clear. De-identified:
    /// no text, no e-mail, only a stable pseudonym of the customer (a keyed hash prefix).
    public func exportRecords(to sink: (Data) throws -> Void, deidentify: Bool) throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var count = 0
        let rows = try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM tickets ORDER BY created_at, id") }
        for row in rows {
            let line: Data
            if deidentify {
                let lookup = row["email_lookup"] as Data?
                line = try encoder.encode(DeidentifiedTicket(
                    id: row["id"], createdAt: row["created_at"], source: row["source"], status: row["status"],
                    customer: lookup.map { "customer-" + $0.prefix(8).map { String(format: "%02x", $0) }.joined() }))
            } else {
                line = try encoder.encode(try decrypt(row))
            }
            try sink(line + Data("\n".utf8))
            count += 1
        }
        return count
    }

    private struct DeidentifiedTicket: Encodable {
        let id: String
        let createdAt: String
        let source: String
        let status: String
        let customer: String?
    }
}
