import AuditLog
import Foundation
import GRDB
import RecordStore
import Vault

/// Rows whose integrity tag does not match their fields: changed outside the suite (an SQL
/// shell, a restored file), or their tag removed. Names tables and row ids, never values.
package struct IntegrityError: Error, Equatable, CustomStringConvertible {
    package struct FailedRow: Sendable, Equatable {
        package let table: String
        package let id: String
    }

    package let rows: [FailedRow]

    package var description: String {
        let listed = rows.prefix(5).map { "\($0.table) \($0.id)" }.joined(separator: ", ")
        return "integrity failed: \(rows.count) row\(rows.count == 1 ? "" : "s") changed outside the suite (\(listed)"
            + (rows.count > 5 ? ", …)" : ")")
    }
}

extension AssistantStore {
    /// The actor of entries the store writes on its own (legacy tagging, failed integrity checks
    /// during an export, whose caller's actor the store does not know).
    static let systemActor = "assistant-store"

    /// `record`'s integrity tag, over its `taggedFields`.
    func integrityTag(_ record: some IntegrityTagged) -> Data {
        secure.integrityKey.tag(table: type(of: record).databaseTableName, row: record.id, fields: record.taggedFields)
    }

    /// Whether `record` carries the tag of its fields. A mismatch (or no tag) is audited as a
    /// failed `record.read` with `integrity: failed`, in its own transaction, so it is logged
    /// even when the caller then stops.
    func hasIntegrity(_ record: some IntegrityTagged, actor: String) throws -> Bool {
        let table = type(of: record).databaseTableName
        if secure.integrityKey.holds(record.integrity, table: table, row: record.id, fields: record.taggedFields) { return true }
        try secure.audit.append(AuditEvent(actor: actor, action: .recordRead, objectType: Self.objectType(table),
                                           objectID: record.id, outcome: .failure,
                                           details: ["integrity": .string("failed"), "table": .string(table)]))
        return false
    }

    /// The audit object type of a table's rows.
    static func objectType(_ table: String) -> String {
        switch table {
        case "tickets": return "ticket"
        case "answers": return "answer"
        case "api_tokens": return "api_token"
        default: return table
        }
    }
}
