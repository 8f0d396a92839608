import AuditLog
import GRDB
public import RecordStore

extension AssistantStore {
    /// Every `record.create` ticket of the audit trail against the table.
    public func verifyRecords() throws -> RecordVerification {
        let ids = try database.read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM tickets")) }
        let missing = try secure.auditedCreations(of: "ticket").subtracting(ids).sorted()
        return RecordVerification(checked: ids.count, integrityFailed: [], missing: missing.map { "ticket/\($0)" })
    }
}
