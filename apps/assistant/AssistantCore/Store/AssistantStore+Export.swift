import AuditLog
public import Foundation
import GRDB
public import RecordStore
import SuiteFoundation
public import Vault

extension AssistantStore: RecordExporting {
    public var sealedColumns: [SealedColumn] { AssistantSchema.sealedColumns }

    /// Writes every ticket as one JSON line. Decrypted: text and e-mail in clear. De-identified:
    /// no text, no e-mail, only a stable pseudonym of the customer (a keyed hash prefix).
    public func exportRecords(to sink: (Data) throws -> Void, deidentify: Bool) throws -> Int {
        let encoder = JSONOutput.encoder()
        var count = 0
        let rows = try database.read { db in
            try Row.fetchAll(db, TicketRecord.order(TicketRecord.Columns.createdAt, TicketRecord.Columns.id))
        }
        for row in rows {
            let line: Data
            if deidentify {
                let r = try TicketRecord.decodeStored(row)
                line = try encoder.encode(DeidentifiedTicket(
                    id: r.id, createdAt: r.createdAt, source: r.source, status: r.status,
                    customer: r.emailLookup.map { "customer-" + $0.prefix(8).map { String(format: "%02x", $0) }.joined() }))
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
        let source: TicketChannel
        let status: TicketStatus
        let customer: String?
    }
}
