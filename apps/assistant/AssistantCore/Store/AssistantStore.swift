import AuditLog
import Crypto
public import Foundation
import GRDB
public import RecordStore
public import SuiteFoundation
import Vault

/// The assistant's record store: tickets, answers, feedback and API tokens, with identifying
/// fields sealed by the vault and every read of them audited.
public final class AssistantStore: Sendable {
    public static let product = "assistant"
    public static let keysVariable = "ASSISTANT_KEYS"

    public let secure: SecureStore
    var database: DatabasePool { secure.database }
    var vault: Vault { secure.vault }

    /// - Parameter access: `.ordinary` refuses a store whose audit chain is broken (see `SecureStore.Access`).
    public init(location: StoreLocation, environment: [String: String] = ProcessInfo.processInfo.environment,
                access: SecureStore.Access = .ordinary) throws {
        secure = try SecureStore(product: Self.product, location: location, keysVariable: Self.keysVariable,
                                 environment: environment, access: access, migrations: AssistantSchema.registerMigrations)
    }

    /// A ticket as stored, decrypted.
    public struct Ticket: Sendable, Equatable, Codable {
        public var id: String
        public var createdAt: String
        public var source: TicketChannel
        public var status: TicketStatus
        public var text: String
        public var email: String?
    }

    static func context(_ table: String, _ column: String, _ id: String) -> SealContext {
        SealContext(table: table, column: column, row: id, schemaVersion: AssistantSchema.schemaVersion)
    }

    /// Stores a ticket (text and e-mail sealed); returns its id.
    @discardableResult
    package func createTicket(text: String, email: String?, source: TicketChannel = .cli, actor: String, id: String? = nil) throws -> String {
        let id = id ?? RecordID.make()
        let text = try vault.seal(text, Self.context("tickets", "text_sealed", id))
        let email = try email.map { (try vault.seal($0, Self.context("tickets", "email_sealed", id)),
                                     try vault.lookupHash($0.lowercased(), purpose: "email")) }
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO tickets (id, created_at, source, status, text_sealed, email_sealed, email_lookup)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET text_sealed = excluded.text_sealed, email_sealed = excluded.email_sealed,
                    email_lookup = excluded.email_lookup
                """, arguments: [id, Timestamp.now(), source.rawValue, TicketStatus.open.rawValue, text, email?.0, email?.1])
        }
        try secure.audit.append(AuditEvent(actor: actor, action: .recordCreate, objectType: "ticket", objectID: id))
        return id
    }

    /// Reads and decrypts a ticket; the read is audited.
    package func ticket(id: String, actor: String) throws -> Ticket? {
        guard let row = try database.read({ db in try Row.fetchOne(db, TicketRecord.filter(key: id)) }) else { return nil }
        let ticket = try decrypt(row)
        try secure.audit.append(AuditEvent(actor: actor, action: .recordRead, objectType: "ticket", objectID: id))
        return ticket
    }

    /// Ids of the tickets of a customer, found through the keyed e-mail hash.
    package func ticketIDs(email: String) throws -> [String] {
        let lookup = try vault.lookupHash(email.lowercased(), purpose: "email")
        return try database.read { db in
            try String.fetchAll(db, TicketRecord.select(TicketRecord.Columns.id)
                .filter(TicketRecord.Columns.emailLookup == lookup).order(TicketRecord.Columns.createdAt))
        }
    }

    /// A stored ticket row with its text and e-mail opened.
    /// - Throws: `CorruptRecordError` naming the column of a value that does not read back.
    func decrypt(_ row: Row) throws -> Ticket {
        let r = try TicketRecord.decodeStored(row)
        return Ticket(id: r.id, createdAt: r.createdAt, source: r.source, status: r.status,
                      text: try vault.openString(r.textSealed, Self.context("tickets", "text_sealed", r.id)),
                      email: try r.emailSealed.map { try vault.openString($0, Self.context("tickets", "email_sealed", r.id)) })
    }
}

extension AssistantStore {
    /// Stores the decision for a ticket and audits it with the model and knowledge-base versions.
    func recordAnswer(_ result: AnswerResult, actor: String) throws {
        guard let ticketID = result.ticketID else { return }
        let id = ticketID + "-answer"
        let articles = try JSONOutput.string(result.sources.map(\.articleID))
        try database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO answers (id, ticket_id, decision, reason, intent, confidence, article_ids, model_version, kb_version, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, ticketID, result.decision.rawValue, result.reason?.rawValue, result.intents.first?.intent,
                                 result.intents.first.map { min(max($0.score, 0), 1) }, articles, result.modelVersion,
                                 result.kbVersion, Timestamp.now()])
            let status: TicketStatus = result.decision == .answer ? .answered : .escalated
            try db.execute(sql: "UPDATE tickets SET status = ? WHERE id = ?", arguments: [status.rawValue, ticketID])
        }
        var details: [String: AuditValue] = ["decision": .string(result.decision.rawValue), "model": .string(result.modelVersion),
                                             "kb": .string(result.kbVersion)]
        if let reason = result.reason { details["reason"] = .string(reason.rawValue) }
        if let article = result.articleID { details["article"] = .string(article) }
        try secure.audit.append(AuditEvent(actor: actor, action: .inference, objectType: "ticket", objectID: ticketID,
                                           details: details))
    }
}

extension AssistantStore {
    public enum Role: String, Sendable, StrictStringEnum {
        case agent, admin
    }

    /// Creates an API token; returns the secret, which is shown once and stored only as a hash.
    public func createToken(name: String, role: Role, actor: String) throws -> String {
        let secret = "ast_" + Data(randomTokenBytes()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        try database.write { db in
            if try APITokenRecord.filter(APITokenRecord.Columns.name == name).fetchCount(db) > 0 {
                throw TokenError.nameTaken(name)
            }
            try db.execute(sql: "INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [RecordID.make(), name, role.rawValue, Self.tokenHash(secret), Timestamp.now()])
        }
        try secure.audit.append(AuditEvent(actor: actor, action: .authentication, objectType: "api_token", objectID: name,
                                           details: ["op": .string("create"), "role": .string(role.rawValue)]))
        return secret
    }

    /// The name and role of a valid, unrevoked token.
    public func authenticate(_ secret: String) throws -> (name: String, role: Role)? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, APITokenRecord.filter(APITokenRecord.Columns.tokenHash == Self.tokenHash(secret))
                                                     .filter(APITokenRecord.Columns.revokedAt == nil))
            else { return nil }
            let token = try APITokenRecord.decodeStored(row)
            return (token.name, token.role)
        }
    }

    public func revokeToken(name: String, actor: String) throws -> Bool {
        let changed = try database.write { db -> Bool in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [Timestamp.now(), name])
            return db.changesCount > 0
        }
        if changed {
            try secure.audit.append(AuditEvent(actor: actor, action: .authentication, objectType: "api_token", objectID: name,
                                               details: ["op": .string("revoke")]))
        }
        return changed
    }

    /// Stores a reviewer's verdict on an answer (edited text sealed) and audits it.
    public func addFeedback(ticketID: String, verdict: FeedbackVerdict, reason: String?, editedText: String?,
                            actor: String) throws -> String {
        guard (verdict == .edit) == (editedText != nil) else { throw FeedbackError.editedTextMismatch }
        let id = RecordID.make()
        let sealed = try editedText.map { try vault.seal($0, Self.context("feedback", "edited_text_sealed", id)) }
        try database.write { db in
            guard let answerID = try String.fetchOne(db, sql: "SELECT id FROM answers WHERE ticket_id = ? ORDER BY created_at DESC LIMIT 1",
                                                     arguments: [ticketID]) else { throw FeedbackError.unknownTicket(ticketID) }
            try db.execute(sql: """
                INSERT INTO feedback (id, answer_id, verdict, reason, edited_text_sealed, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, answerID, verdict.rawValue, reason, sealed, actor, Timestamp.now()])
        }
        try secure.audit.append(AuditEvent(actor: actor, action: .review, objectType: "ticket", objectID: ticketID,
                                           details: ["verdict": .string(verdict.rawValue)]))
        return id
    }

    static func tokenHash(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    private func randomTokenBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

enum TokenError: Error, Equatable, CustomStringConvertible {
    case nameTaken(String)
    var description: String {
        switch self { case .nameTaken(let name): return "a token named '\(name)' exists already" }
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
