import AuditLog
import GRDB
public import RecordStore
import Vault

extension AssistantStore {
    /// Every ticket, answer, feedback and token row's integrity tag, and every `record.create`
    /// ticket of the audit trail against the table.
    public func verifyRecords() throws -> RecordVerification {
        let key = secure.integrityKey
        let (checked, failed, ids) = try database.read { db in
            var checked = 0
            var failed: [String] = []
            func check<Record: IntegrityTagged & FetchableRecord>(_ type: Record.Type) throws {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(Record.databaseTableName)") {
                    checked += 1
                    // A row that no longer decodes (a value outside its column's domain) fails too.
                    guard let record = try? Record(row: row),
                          key.holds(record.integrity, table: Record.databaseTableName, row: record.id, fields: record.taggedFields)
                    else {
                        failed.append("\(Record.databaseTableName)/\(row["id"] as String? ?? "?")")
                        continue
                    }
                }
            }
            try check(TicketRecord.self)
            try check(AnswerRecord.self)
            try check(FeedbackRecord.self)
            try check(APITokenRecord.self)
            return (checked, failed, Set(try String.fetchAll(db, sql: "SELECT id FROM tickets")))
        }
        let missing = try secure.auditedCreations(of: "ticket").subtracting(ids).sorted()
        return RecordVerification(checked: checked, integrityFailed: failed, missing: missing.map { "ticket/\($0)" })
    }
}
