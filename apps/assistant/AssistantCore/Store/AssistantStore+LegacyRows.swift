import AuditLog
import Foundation
import GRDB
import RecordStore
import Vault

extension AssistantStore {
    /// Tags the rows written before "assistant v2 integrity" and seals the feedback reasons v1
    /// kept in clear — once in a store's life (`SecureStore.once`, object `integrity/assistant`,
    /// `op: tag-legacy-rows`, the counts), at its first open with the key.
    ///
    /// Clearing a plaintext reason zeroes its old bytes (the store runs with `secure_delete`),
    /// then the WAL that held them is truncated (best effort: a reader of another process can
    /// keep it from being truncated now; it is then overwritten by later commits).
    func tagLegacyRows() throws {
        var sealed = 0
        try secure.once(objectType: "integrity", objectID: Self.product, op: "tag-legacy-rows", actor: Self.systemActor) { db in
            sealed = try sealPlaintextReasons(db)
            return ["reasons_sealed": .int(sealed), "tickets": .int(try tagUntagged(TicketRecord.self, db)),
                    "answers": .int(try tagUntagged(AnswerRecord.self, db)),
                    "feedback": .int(try tagUntagged(FeedbackRecord.self, db)),
                    "api_tokens": .int(try tagUntagged(APITokenRecord.self, db))]
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
