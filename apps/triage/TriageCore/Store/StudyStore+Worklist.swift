import AuditLog
public import Foundation
import GRDB
import SuiteFoundation
import RecordStore

extension StudyStore {
    /// Studies with a verdict that nobody has marked read yet (identity not decrypted).
    package func unreadStudies() throws -> [Study] {
        try database.read { db in
            try Row.fetchAll(db, StudyRecord.filter(StudyRecord.Columns.readAt == nil)
                .filter(StudyStatus.withVerdict.map(\.rawValue).contains(StudyRecord.Columns.status)))
                .map { try decode($0, decrypt: false) }
        }
    }

    /// The worklist at `now`, audited as one `query`.
    public func worklist(policy: WorklistPolicy, now: Date = Date(), limit: Int? = nil, actor: String) throws -> [WorklistItem] {
        let ordered = policy.ordered(try unreadStudies(), now: now)
        let shown = limit.map { Array(ordered.prefix($0)) } ?? ordered
        try secure.audit.append(AuditEvent(actor: actor, action: .query, objectType: "worklist", objectID: "unread",
                                           details: ["unread": .int(ordered.count), "shown": .int(shown.count)]))
        return shown
    }

    public enum ReadOutcome: Sendable, Equatable {
        case marked(at: String)
        case alreadyRead(at: String)
        case notFound
    }

    /// Marks a study reviewed, recording who and when in the audit trail (same transaction).
    /// Marking it again changes nothing.
    public func markRead(id: String, actor: String) throws -> ReadOutcome {
        let now = Timestamp.now()
        return try secure.audit.transaction { db -> (ReadOutcome, [AuditEvent]) in
            guard let row = try Row.fetchOne(db, sql: "SELECT read_at FROM studies WHERE id = ?", arguments: [id]) else {
                return (.notFound, [])
            }
            if let at = row["read_at"] as String? { return (.alreadyRead(at: at), []) }
            try db.execute(sql: "UPDATE studies SET read_at = ? WHERE id = ?", arguments: [now, id])
            return (.marked(at: now), [AuditEvent(actor: actor, action: .review, objectType: "study", objectID: id,
                                                  details: ["op": .string("mark_read")])])
        }
    }
}
