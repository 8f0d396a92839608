import AuditLog
import Foundation
import GRDB
import RecordStore
import Vault

extension AssistantStore {
    /// Tags the rows written before "assistant v2 integrity" and seals the feedback reasons v1
    /// kept in clear — once in a store's life, at its first open with the key (SQL alone cannot
    /// compute a keyed MAC or seal).
    ///
    /// The pass runs in one transaction with a `key.manage` audit entry (object
    /// `integrity/assistant`, `op: tag-legacy-rows`, the counts). That entry is the marker: once
    /// it is in the append-only, hash-chained log the pass never runs again, so an untagged row
    /// found later was changed outside the suite and fails its check instead of being tagged. A
    /// new store gets the entry too, with zero counts, at its first open. Two processes opening
    /// a v1 store at once may both log the entry; the second tags nothing. (Editing the entry to
    /// run the pass again breaks the audit chain, which `audit verify` reports.)
    ///
    /// Clearing a plaintext reason runs with `PRAGMA secure_delete = ON` (zeroing the old bytes
    /// instead of leaving them in free space), then truncates the WAL, which held them too
    /// (best effort: a reader of another process can keep the WAL from being truncated now; it
    /// is then overwritten by later commits).
    func tagLegacyRows() throws {
        let done = try secure.audit.entries(matching: .init(action: .keyManagement))
            .contains { $0.objectType == "integrity" && $0.objectID == Self.product }
        if done { return }
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        let sealed = try secure.audit.transaction { db -> (Int, [AuditEvent]) in
            let sealed = try sealPlaintextReasons(db)
            var details: [String: AuditValue] = ["op": .string("tag-legacy-rows"), "reasons_sealed": .int(sealed)]
            details["tickets"] = .int(try tagUntagged(TicketRecord.self, db))
            details["answers"] = .int(try tagUntagged(AnswerRecord.self, db))
            details["feedback"] = .int(try tagUntagged(FeedbackRecord.self, db))
            details["api_tokens"] = .int(try tagUntagged(APITokenRecord.self, db))
            return (sealed, [AuditEvent(actor: Self.systemActor, action: .keyManagement, objectType: "integrity",
                                        objectID: Self.product, details: details)])
        }
        if sealed > 0 {
            try database.writeWithoutTransaction { db in _ = try? db.checkpoint(.truncate) }
        }
    }

    /// Seals every clear `feedback.reason` into `reason_sealed`, clears it and re-tags the row;
    /// returns how many.
    private func sealPlaintextReasons(_ db: Database) throws -> Int {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM feedback WHERE reason IS NOT NULL")
        for row in rows {
            var feedback = try FeedbackRecord.decodeStored(row)
            feedback.reasonSealed = try vault.seal(feedback.reason ?? "", Self.context("feedback", "reason_sealed", feedback.id))
            feedback.reason = nil
            feedback.integrity = try integrityTag(feedback)
            try db.execute(sql: "UPDATE feedback SET reason = NULL, reason_sealed = ?, integrity = ? WHERE id = ?",
                           arguments: [feedback.reasonSealed, feedback.integrity, feedback.id])
        }
        return rows.count
    }

    /// Tags every row of `type`'s table that has no tag; returns how many.
    private func tagUntagged<Record: IntegrityTagged & FetchableRecord>(_ type: Record.Type, _ db: Database) throws -> Int {
        let table = Record.databaseTableName
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE integrity IS NULL")
        for row in rows {
            let record = try Record.decodeStored(row)
            try db.execute(sql: "UPDATE \(table) SET integrity = ? WHERE id = ?", arguments: [try integrityTag(record), record.id])
        }
        return rows.count
    }
}
