import AuditLog
import Foundation
import GRDB
public import RecordStore
import Vault

extension AssistantStore {
    /// Copies the tickets of `other` (e.g. the store of one shard of a batch) that this store
    /// does not hold yet, matched by ticket id (batch ticket ids come from the archive and row,
    /// so shards of one archive never share one), with their answers and feedback. Sealed fields
    /// are opened with `other`'s keys and sealed again under this store's keys; the keyed e-mail
    /// hash and the integrity tags are recomputed here. A row of `other` whose integrity tag
    /// fails is not copied: the merge stops with `IntegrityError` naming it. Idempotent; each
    /// batch of `batchSize` tickets is one transaction with its `record.create` entries, and one
    /// `record.export` entry in `other`. `MergeSummary` counts tickets.
    public func merge(from other: AssistantStore, actor: String, batchSize: Int = 200) throws -> MergeSummary {
        try SecureStore.mergePages(from: other.secure, table: "tickets", key: "id", batchSize: batchSize, held: { ids in
            try database.read { db in
                try Set(String.fetchAll(db, sql: "SELECT id FROM tickets WHERE id IN (\(Self.marks(ids.count)))",
                                        arguments: StatementArguments(ids)))
            }
        }, copy: { try copy($0, from: other, actor: actor) })
    }

    private static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ",") }

    /// Copies these ticket rows of `other` and their answers and feedback in one transaction.
    private func copy(_ ticketRows: [Row], from other: AssistantStore, actor: String) throws {
        let ids = ticketRows.map { $0["id"] as String }
        let (answers, feedback) = try other.database.read { db in
            let answers = try AnswerRecord.fetchAll(db, sql: "SELECT * FROM answers WHERE ticket_id IN (\(Self.marks(ids.count)))",
                                                    arguments: StatementArguments(ids))
            let answerIDs = answers.map(\.id)
            let feedback = answerIDs.isEmpty ? [] : try FeedbackRecord.fetchAll(
                db, sql: "SELECT * FROM feedback WHERE answer_id IN (\(Self.marks(answerIDs.count)))", arguments: StatementArguments(answerIDs))
            return (answers, feedback)
        }
        // Check, open under the other store's keys and seal under ours before the write transaction.
        var tickets: [TicketRecord] = []
        for row in ticketRows {
            let stored = try TicketRecord.decodeStored(row)
            guard try other.hasIntegrity(stored, actor: actor) else {
                throw IntegrityError(rows: [.init(table: TicketRecord.databaseTableName, id: stored.id)])
            }
            let opened = try other.decrypt(row)
            var ticket = stored
            ticket.textSealed = try vault.seal(opened.text, Self.context("tickets", "text_sealed", stored.id))
            ticket.emailSealed = try opened.email.map { try vault.seal($0, Self.context("tickets", "email_sealed", stored.id)) }
            ticket.emailLookup = try opened.email.map { try vault.lookupHash($0.lowercased(), purpose: "email") }
            ticket.integrity = integrityTag(ticket)
            tickets.append(ticket)
        }
        let copiedAnswers = try answers.map { stored in
            guard try other.hasIntegrity(stored, actor: actor) else {
                throw IntegrityError(rows: [.init(table: AnswerRecord.databaseTableName, id: stored.id)])
            }
            var answer = stored
            answer.integrity = integrityTag(answer)
            return answer
        }
        let copiedFeedback = try feedback.map { stored in
            guard try other.hasIntegrity(stored, actor: actor) else {
                throw IntegrityError(rows: [.init(table: FeedbackRecord.databaseTableName, id: stored.id)])
            }
            func reseal(_ value: Data?, _ column: String) throws -> Data? {
                try value.map { try vault.seal(try other.vault.openString($0, Self.context("feedback", column, stored.id)),
                                               Self.context("feedback", column, stored.id)) }
            }
            var copy = stored
            copy.reasonSealed = try reseal(stored.reasonSealed, "reason_sealed")
            copy.editedTextSealed = try reseal(stored.editedTextSealed, "edited_text_sealed")
            copy.integrity = integrityTag(copy)
            return copy
        }
        try secure.audit.transaction { db -> ((), [AuditEvent]) in
            for t in tickets {
                try db.execute(sql: """
                    INSERT INTO tickets (id, created_at, source, status, text_sealed, email_sealed, email_lookup, integrity)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [t.id, t.createdAt, t.source.rawValue, t.status.rawValue, t.textSealed, t.emailSealed,
                                     t.emailLookup, t.integrity])
            }
            for a in copiedAnswers {
                try db.execute(sql: """
                    INSERT INTO answers (id, ticket_id, decision, reason, intent, confidence, article_ids, model_version,
                                         kb_version, created_at, integrity)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [a.id, a.ticketID, a.decision.rawValue, a.reason?.rawValue, a.intent, a.confidence,
                                     a.articleIDs, a.modelVersion, a.kbVersion, a.createdAt, a.integrity])
            }
            for f in copiedFeedback {
                try db.execute(sql: """
                    INSERT INTO feedback (id, answer_id, verdict, reason, reason_sealed, edited_text_sealed, actor, created_at, integrity)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [f.id, f.answerID, f.verdict.rawValue, f.reason, f.reasonSealed, f.editedTextSealed,
                                     f.actor, f.createdAt, f.integrity])
            }
            return ((), tickets.map {
                AuditEvent(actor: actor, action: .recordCreate, objectType: "ticket", objectID: $0.id, details: ["op": .string("merge")])
            })
        }
        try other.secure.audit.append(AuditEvent(actor: actor, action: .recordExport, objectType: "store", objectID: "tickets",
                                                 details: ["op": .string("merge"), "count": .int(tickets.count)]))
    }
}
