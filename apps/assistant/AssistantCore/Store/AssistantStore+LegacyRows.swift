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
        // Sealing reads the vault's keys from the database, so the clear reasons are sealed
        // before the pass's transaction (nearly always none: only v1 stores have them).
        let clear = try database.read { try Row.fetchAll($0, sql: "SELECT id, reason FROM feedback WHERE reason IS NOT NULL") }
        let sealedReasons = try Dictionary(uniqueKeysWithValues: clear.map { row -> (String, Data) in
            let id: String = row["id"]
            return (id, try vault.seal(row["reason"] as String, Self.context("feedback", "reason_sealed", id)))
        })
        var sealed = 0
        try secure.once(objectType: "integrity", objectID: Self.product, op: "tag-legacy-rows", actor: Self.systemActor) { db in
            sealed = try replacePlaintextReasons(db, sealedReasons)
            return ["reasons_sealed": .int(sealed), "tickets": .int(try tagUntagged(TicketRecord.self, db)),
                    "answers": .int(try tagUntagged(AnswerRecord.self, db)),
                    "feedback": .int(try tagUntagged(FeedbackRecord.self, db)),
                    "api_tokens": .int(try tagUntagged(APITokenRecord.self, db))]
        }
        if sealed > 0 {
            _ = try? database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        }
    }

    /// Puts each sealed reason (by feedback id) in `reason_sealed`, clears `reason` and re-tags
    /// the row; returns how many.
    private func replacePlaintextReasons(_ db: Database, _ sealed: [String: Data]) throws -> Int {
        var count = 0
        for (id, value) in sealed {
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM feedback WHERE id = ? AND reason IS NOT NULL", arguments: [id])
            else { continue }
            var feedback = try FeedbackRecord.decodeStored(row)
            feedback.reasonSealed = value
            feedback.reason = nil
            feedback.integrity = integrityTag(feedback)
            try db.execute(sql: "UPDATE feedback SET reason = NULL, reason_sealed = ?, integrity = ? WHERE id = ?",
                           arguments: [feedback.reasonSealed, feedback.integrity, feedback.id])
            count += 1
        }
        return count
    }

    /// Tags every row of `type`'s table that has no tag; returns how many.
    private func tagUntagged<Record: IntegrityTagged & FetchableRecord>(_ type: Record.Type, _ db: Database) throws -> Int {
        let table = Record.databaseTableName
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE integrity IS NULL")
        for row in rows {
            let record = try Record.decodeStored(row)
            try db.execute(sql: "UPDATE \(table) SET integrity = ? WHERE id = ?", arguments: [integrityTag(record), record.id])
        }
        return rows.count
    }
}
