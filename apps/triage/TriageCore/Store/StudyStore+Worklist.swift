import AuditLog
public import Foundation
import GRDB
import SuiteFoundation
import RecordStore
import Vault

extension StudyStore {
    /// Studies with a verdict that nobody has marked read yet, plus every study whose integrity
    /// tag fails wherever its (untrusted) fields would put it (identity not decrypted).
    package func unreadStudies() throws -> [Study] {
        let key = try vault.integrityKey()
        return try database.read { db in
            let failing = Set(try StudyIntegrity.failing(db, key: key))
            let unread = try Row.fetchAll(db, StudyRecord.filter(StudyRecord.Columns.readAt == nil)
                .filter(StudyStatus.withVerdict.map(\.rawValue).contains(StudyRecord.Columns.status)))
            let tampered = try Row.fetchAll(db, StudyRecord.filter(keys: failing))
            var seen = Set<String>()
            return try (tampered + unread).filter { seen.insert($0["id"]).inserted }.map { try decode($0, decrypt: false) }
        }
    }

    /// The worklist at `now`, audited as one `query`; studies whose integrity fails come first and
    /// are audited as such (outcome failure, with their count).
    public func worklist(policy: WorklistPolicy, now: Date = Date(), limit: Int? = nil, actor: String) throws -> [WorklistItem] {
        let ordered = policy.ordered(try unreadStudies(), now: now)
        let shown = limit.map { Array(ordered.prefix(max($0, ordered.prefix { $0.study.integrityFailed }.count))) } ?? ordered
        let failed = ordered.filter(\.study.integrityFailed).count
        var details: [String: AuditValue] = ["unread": .int(ordered.count - failed), "shown": .int(shown.count)]
        if failed > 0 { details["integrity_failed"] = .int(failed) }
        try secure.audit.append(AuditEvent(actor: actor, action: .query, objectType: "worklist", objectID: "unread",
                                           outcome: failed > 0 ? .failure : .success, details: details))
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
        let key = try vault.integrityKey()
        return try secure.audit.transaction { db -> (ReadOutcome, [AuditEvent]) in
            guard let row = try Row.fetchOne(db, sql: "SELECT read_at FROM studies WHERE id = ?", arguments: [id]) else {
                return (.notFound, [])
            }
            if let at = row["read_at"] as String? { return (.alreadyRead(at: at), []) }
            try db.execute(sql: "UPDATE studies SET read_at = ?, read_by = ? WHERE id = ?", arguments: [now, actor, id])
            try StudyIntegrity.retag(db, ids: [id], key: key)
            return (.marked(at: now), [AuditEvent(actor: actor, action: .review, objectType: "study", objectID: id,
                                                  details: ["op": .string("mark_read")])])
        }
    }
}
