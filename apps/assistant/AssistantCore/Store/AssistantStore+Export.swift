import AuditLog
public import Foundation
import GRDB
public import RecordStore
import SuiteFoundation
public import Vault

extension AssistantStore: RecordExporting {
    public var sealedColumns: [SealedColumn] { AssistantSchema.sealedColumns }

    /// Writes every ticket as one JSON line with its answer and feedback. Decrypted: text,
    /// e-mail, feedback reasons and edited answers in clear. De-identified: none of them, only a
    /// stable pseudonym of the customer (a keyed hash prefix).
    ///
    /// Every row's integrity tag is checked: a line with a row that fails carries
    /// `"integrity": "failed"` (and its values as stored), the failure is audited, and once all
    /// lines are written the export throws `IntegrityError` naming the rows — it never passes a
    /// changed decision on as good.
    public func exportRecords(to sink: (Data) throws -> Void, deidentify: Bool) throws -> Int {
        let encoder = JSONOutput.encoder()
        var failed: [IntegrityError.FailedRow] = []
        let tickets = try database.read { db in
            try Row.fetchAll(db, TicketRecord.order(TicketRecord.Columns.createdAt, TicketRecord.Columns.id)).map { row in
                let ticket = try TicketRecord.decodeStored(row)
                let answer = try Row.fetchOne(db, AnswerRecord.filter(AnswerRecord.Columns.ticketID == ticket.id))
                    .map { try AnswerRecord.decodeStored($0) }
                let feedback = try answer.map { answer in
                    try Row.fetchAll(db, FeedbackRecord.filter(FeedbackRecord.Columns.answerID == answer.id)
                                         .order(FeedbackRecord.Columns.createdAt)).map { try FeedbackRecord.decodeStored($0) }
                } ?? []
                return (row, ticket, answer, feedback)
            }
        }
        for (row, ticket, answer, feedback) in tickets {
            var rows: [any IntegrityTagged] = [ticket]
            if let answer { rows.append(answer) }
            rows += feedback
            var intact = true
            for record in rows {
                guard try !hasIntegrity(record, actor: Self.systemActor) else { continue }
                intact = false
                failed.append(.init(table: type(of: record).databaseTableName, id: record.id))
            }
            var line = ExportedTicket(
                id: ticket.id, createdAt: ticket.createdAt, source: ticket.source, status: ticket.status,
                answer: try answer.map(exported), feedback: try feedback.map { try exported($0, deidentify: deidentify) },
                integrity: intact ? "ok" : "failed")
            if deidentify {
                line.customer = ticket.emailLookup.map { "customer-" + $0.prefix(8).map { String(format: "%02x", $0) }.joined() }
            } else {
                let opened = try decrypt(row)
                line.text = opened.text
                line.email = opened.email
            }
            try sink(try encoder.encode(line) + Data("\n".utf8))
        }
        if !failed.isEmpty { throw IntegrityError(rows: failed) }
        return tickets.count
    }

    private func exported(_ answer: AnswerRecord) throws -> ExportedTicket.Answer {
        ExportedTicket.Answer(
            decision: answer.decision, reason: answer.reason, intent: answer.intent, confidence: answer.confidence,
            articleIDs: try AnswerRecord.decodeStoredJSON([String].self, answer.articleIDs, column: "article_ids",
                                                          row: Row(["id": answer.id])) ?? [],
            modelVersion: answer.modelVersion, kbVersion: answer.kbVersion, createdAt: answer.createdAt)
    }

    private func exported(_ feedback: FeedbackRecord, deidentify: Bool) throws -> ExportedTicket.Feedback {
        var line = ExportedTicket.Feedback(verdict: feedback.verdict, createdAt: feedback.createdAt)
        if !deidentify {
            line.reason = try feedback.reasonSealed.map { try vault.openString($0, Self.context("feedback", "reason_sealed", feedback.id)) }
            line.editedText = try feedback.editedTextSealed.map {
                try vault.openString($0, Self.context("feedback", "edited_text_sealed", feedback.id))
            }
        }
        return line
    }
}

/// One line of `records export`: a ticket with its decision and the reviews of it.
private struct ExportedTicket: Encodable {
    struct Answer: Encodable {
        let decision: AnswerResult.Decision
        let reason: AnswerResult.Reason?
        let intent: String?
        let confidence: Double?
        let articleIDs: [String]
        let modelVersion: String
        let kbVersion: String
        let createdAt: String
    }

    struct Feedback: Encodable {
        let verdict: FeedbackVerdict
        let createdAt: String
        /// Decrypted exports only.
        var reason: String?
        var editedText: String?
    }

    let id: String
    let createdAt: String
    let source: TicketChannel
    let status: TicketStatus
    /// Decrypted exports only.
    var text: String?
    var email: String?
    /// De-identified exports only: `customer-` and a keyed hash prefix of the e-mail.
    var customer: String?
    let answer: Answer?
    let feedback: [Feedback]
    /// "ok", or "failed" when a row of this line does not carry the tag of its fields.
    let integrity: String
}
