import Foundation
import GRDB
import RecordStore
public import SuiteFoundation

/// Where a ticket came in (the `tickets.source` column).
public enum TicketChannel: String, Sendable, StrictStringEnum {
    case cli, batch, http
}

/// Where a ticket is (the `tickets.status` column).
public enum TicketStatus: String, Sendable, StrictStringEnum {
    /// Stored, not decided yet (v1 stored tickets before their answer; now a ticket and its
    /// decision are written together, so only rows of v1 can be open).
    case open
    case answered
    case escalated
}

/// A reviewer's verdict on an answer (the `feedback.verdict` column).
public enum FeedbackVerdict: String, Sendable, StrictStringEnum {
    /// The answer was right as it was.
    case accept
    /// The answer needed changes: the edited text comes with it.
    case edit
    /// The answer was wrong.
    case reject
}

/// A stored row with an integrity tag: `IntegrityKey.tag(table:row:fields:)` over
/// `taggedFields`, in that order. Sealed columns are left out: AES-GCM authenticates them and
/// binds them to their row already, and `keys rotate --reencrypt` rewrites them.
protocol IntegrityTagged: TableRecord {
    var id: String { get }
    var integrity: Data? { get }
    /// The values the row's decision rests on, as strings (nil distinct from "").
    var taggedFields: [String?] { get }
}

/// One row of the `tickets` table as stored (migrations in `AssistantSchema`), text and e-mail sealed.
struct TicketRecord: Codable, FetchableRecord, IntegrityTagged {
    static let databaseTableName = "tickets"

    var id: String
    var createdAt: String
    var source: TicketChannel
    var status: TicketStatus
    var textSealed: Data
    var emailSealed: Data?
    var emailLookup: Data?
    var integrity: Data?

    var taggedFields: [String?] {
        [createdAt, source.rawValue, status.rawValue, emailLookup?.base64EncodedString()]
    }

    enum CodingKeys: String, CodingKey {
        case id, source, status, integrity
        case createdAt = "created_at", textSealed = "text_sealed", emailSealed = "email_sealed", emailLookup = "email_lookup"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let createdAt = Column(CodingKeys.createdAt)
        static let status = Column(CodingKeys.status)
        static let emailLookup = Column(CodingKeys.emailLookup)
    }
}

/// One row of the `answers` table: the decision on a ticket (`<ticket id>-answer`, one per ticket).
struct AnswerRecord: Codable, FetchableRecord, IntegrityTagged {
    static let databaseTableName = "answers"

    var id: String
    var ticketID: String
    var decision: AnswerResult.Decision
    var reason: AnswerResult.Reason?
    var intent: String?
    /// The top intent's score, 0…1.
    var confidence: Double?
    /// JSON array of the supporting article ids, best first.
    var articleIDs: String
    var modelVersion: String
    var kbVersion: String
    var createdAt: String
    var integrity: Data?

    /// The confidence enters as its shortest round-trip decimal (`String(describing:)`), which is
    /// exact for a stored REAL.
    var taggedFields: [String?] {
        [ticketID, decision.rawValue, reason?.rawValue, intent, confidence.map { String(describing: $0) }, articleIDs,
         modelVersion, kbVersion, createdAt]
    }

    enum CodingKeys: String, CodingKey {
        case id, decision, reason, intent, confidence, integrity
        case ticketID = "ticket_id", articleIDs = "article_ids", modelVersion = "model_version", kbVersion = "kb_version"
        case createdAt = "created_at"
    }

    enum Columns {
        static let ticketID = Column(CodingKeys.ticketID)
    }
}

/// One row of the `feedback` table: a reviewer's verdict, reason and edited text sealed.
struct FeedbackRecord: Codable, FetchableRecord, IntegrityTagged {
    static let databaseTableName = "feedback"

    var id: String
    var answerID: String
    var verdict: FeedbackVerdict
    /// v1's reason in clear: sealed into `reasonSealed` and cleared at the first open with the
    /// key, so a value here afterwards fails the row's integrity check.
    var reason: String?
    var reasonSealed: Data?
    var editedTextSealed: Data?
    var actor: String
    var createdAt: String
    var integrity: Data?

    var taggedFields: [String?] { [answerID, verdict.rawValue, actor, createdAt, reason] }

    enum CodingKeys: String, CodingKey {
        case id, verdict, reason, actor, integrity
        case answerID = "answer_id", reasonSealed = "reason_sealed", editedTextSealed = "edited_text_sealed"
        case createdAt = "created_at"
    }

    enum Columns {
        static let answerID = Column(CodingKeys.answerID)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

/// One row of the `api_tokens` table: a token's name and role, the secret only as a hash.
struct APITokenRecord: Codable, FetchableRecord, IntegrityTagged {
    static let databaseTableName = "api_tokens"

    var id: String
    var name: String
    var role: AssistantStore.Role
    var tokenHash: Data
    var createdAt: String
    var revokedAt: String?
    var integrity: Data?

    var taggedFields: [String?] { [name, role.rawValue, tokenHash.base64EncodedString(), createdAt, revokedAt] }

    enum CodingKeys: String, CodingKey {
        case id, name, role, integrity
        case tokenHash = "token_hash", createdAt = "created_at", revokedAt = "revoked_at"
    }

    enum Columns {
        static let name = Column(CodingKeys.name)
        static let tokenHash = Column(CodingKeys.tokenHash)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }
}
