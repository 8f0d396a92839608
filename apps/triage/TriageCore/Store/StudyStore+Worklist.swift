import AuditLog
public import Foundation
import GRDB
import SuiteFoundation
import RecordStore
import Vault

extension StudyStore {
    /// Studies on the worklist (a verdict, or an input that failed) that nobody has marked read yet, plus every study whose integrity
    /// tag fails wherever its (untrusted) fields would put it (identity not decrypted).
    package func unreadStudies() throws -> [Study] {
        let key = secure.integrityKey
        return try database.read { db in
            let failing = Set(try StudyIntegrity.failing(db, key: key))
            let unread = try Row.fetchAll(db, StudyRecord.filter(StudyRecord.Columns.readAt == nil)
                .filter(StudyStatus.onWorklist.map(\.rawValue).contains(StudyRecord.Columns.status)))
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
}
