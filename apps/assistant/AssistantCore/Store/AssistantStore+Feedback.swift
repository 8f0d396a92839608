import AuditLog
import Foundation
import GRDB
import RecordStore
import SuiteFoundation
import Vault

extension AssistantStore {
    /// Stores a reviewer's verdict on the answer to a ticket (reason and edited text sealed, the
    /// row integrity-tagged) in one transaction with its `review` audit entry.
    /// - Returns: the feedback id.
    public func addFeedback(ticketID: String, verdict: FeedbackVerdict, reason: String?, editedText: String?,
                            actor: String) throws -> String {
        guard (verdict == .edit) == (editedText != nil) else { throw FeedbackError.editedTextMismatch }
        let id = RecordID.make()
        let reasonSealed = try reason.map { try vault.seal($0, Self.context("feedback", "reason_sealed", id)) }
        let editedSealed = try editedText.map { try vault.seal($0, Self.context("feedback", "edited_text_sealed", id)) }
        let now = Timestamp.now()
        return try secure.audit.transaction { db -> (String, [AuditEvent]) in
            guard let answerID = try String.fetchOne(db, sql: "SELECT id FROM answers WHERE ticket_id = ? ORDER BY created_at DESC LIMIT 1",
                                                     arguments: [ticketID]) else { throw FeedbackError.unknownTicket(ticketID) }
            var feedback = FeedbackRecord(id: id, answerID: answerID, verdict: verdict, reason: nil, reasonSealed: reasonSealed,
                                          editedTextSealed: editedSealed, actor: actor, createdAt: now, integrity: nil)
            feedback.integrity = integrityTag(feedback)
            try db.execute(sql: """
                INSERT INTO feedback (id, answer_id, verdict, reason_sealed, edited_text_sealed, actor, created_at, integrity)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, answerID, verdict.rawValue, reasonSealed, editedSealed, actor, now, feedback.integrity])
            return (id, [AuditEvent(actor: actor, action: .review, objectType: "ticket", objectID: ticketID,
                                    details: ["verdict": .string(verdict.rawValue)])])
        }
    }
}

public enum FeedbackError: Error, Equatable, CustomStringConvertible {
    case editedTextMismatch
    case unknownTicket(String)
    public var description: String {
        switch self {
        case .editedTextMismatch: return "edited_text is required with verdict 'edit' and only then"
        case .unknownTicket(let id): return "no answered ticket \(id)"
        }
    }
}
