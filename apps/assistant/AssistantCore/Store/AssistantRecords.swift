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
    /// Stored, not decided yet.
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

/// One row of the `tickets` table as stored (migrations in `AssistantSchema`), text and e-mail sealed.
struct TicketRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "tickets"

    var id: String
    var createdAt: String
    var source: TicketChannel
    var status: TicketStatus
    var textSealed: Data
    var emailSealed: Data?
    var emailLookup: Data?

    enum CodingKeys: String, CodingKey {
        case id, source, status
        case createdAt = "created_at", textSealed = "text_sealed", emailSealed = "email_sealed", emailLookup = "email_lookup"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let createdAt = Column(CodingKeys.createdAt)
        static let status = Column(CodingKeys.status)
        static let emailLookup = Column(CodingKeys.emailLookup)
    }
}

/// One row of the `api_tokens` table: a token's name and role, the secret only as a hash.
struct APITokenRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "api_tokens"

    var id: String
    var name: String
    var role: AssistantStore.Role
    var tokenHash: Data
    var createdAt: String
    var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, name, role
        case tokenHash = "token_hash", createdAt = "created_at", revokedAt = "revoked_at"
    }

    enum Columns {
        static let name = Column(CodingKeys.name)
        static let tokenHash = Column(CodingKeys.tokenHash)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }
}
