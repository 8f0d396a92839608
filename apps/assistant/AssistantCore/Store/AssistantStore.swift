import AuditLog
import Crypto
import Foundation
import GRDB
import RecordStore
import Vault

/// The assistant's record store: tickets, answers, feedback and API tokens, with identifying
/// fields sealed by the vault and every read of them audited.
public final class AssistantStore: Sendable {
    public static let product = "assistant"
    public static let keysVariable = "ASSISTANT_KEYS"

    public let secure: SecureStore
    var database: DatabasePool { secure.database }
    var vault: Vault { secure.vault }

    public init(location: StoreLocation, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        secure = try SecureStore(product: Self.product, location: location, keysVariable: Self.keysVariable,
                                 environment: environment, migrations: AssistantSchema.registerMigrations)
    }

    /// A ticket as stored, decrypted.
    public struct Ticket: Sendable, Equatable, Codable {
        public var id: String
        public var createdAt: String
        public var source: String
        public var status: String
        public var text: String
        public var email: String?
    }

    static func context(_ table: String, _ column: String, _ id: String) -> SealContext {
        SealContext(table: table, column: column, row: id, schemaVersion: AssistantSchema.schemaVersion)
    }

    /// Stores a ticket (text and e-mail sealed); returns its id.
    @discardableResult
    public func createTicket(text: String, email: String?, source: String = "cli", actor: String, id: String? = nil) throws -> String {
        let id = id ?? UUID().uuidString.lowercased()
        let text = try vault.seal(text, Self.context("tickets", "text_sealed", id))
        let email = try email.map { (try vault.seal($0, Self.context("tickets", "email_sealed", id)),
                                     try vault.lookupHash($0.lowercased(), purpose: "email")) }
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO tickets (id, created_at, source, status, text_sealed, email_sealed, email_lookup)
                VALUES (?, ?, ?, 'open', ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET text_sealed = excluded.text_sealed, email_sealed = excluded.email_sealed,
                    email_lookup = excluded.email_lookup
                """, arguments: [id, Self.now(), source, text, email?.0, email?.1])
        }
        try secure.audit.append(AuditEvent(actor: actor, action: .recordCreate, objectType: "ticket", objectID: id))
        return id
    }

    /// Reads and decrypts a ticket; the read is audited.
    public func ticket(id: String, actor: String) throws -> Ticket? {
        guard let row = try database.read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM tickets WHERE id = ?", arguments: [id])
        }) else { return nil }
        let ticket = try decrypt(row)
        try secure.audit.append(AuditEvent(actor: actor, action: .recordRead, objectType: "ticket", objectID: id))
        return ticket
    }

    /// Ids of the tickets of a customer, found through the keyed e-mail hash.
    public func ticketIDs(email: String) throws -> [String] {
        let lookup = try vault.lookupHash(email.lowercased(), purpose: "email")
        return try database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM tickets WHERE email_lookup = ? ORDER BY created_at", arguments: [lookup])
        }
    }

    func decrypt(_ row: Row) throws -> Ticket {
        let id: String = row["id"]
        return Ticket(id: id, createdAt: row["created_at"], source: row["source"], status: row["status"],
                      text: try vault.openString(row["text_sealed"], Self.context("tickets", "text_sealed", id)),
                      email: try (row["email_sealed"] as Data?).map {
                          try vault.openString($0, Self.context("tickets", "email_sealed", id))
                      })
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}

extension AssistantStore {
    /// Stores the decision for a ticket and audits it with the model and knowledge-base versions.
    public func recordAnswer(_ result: AnswerResult, actor: String) throws {
        guard let ticketID = result.ticketID else { return }
        let id = ticketID + "-answer"
        let articles = String(decoding: try JSONEncoder().encode(result.sources.map(\.articleID)), as: UTF8.self)
        try database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO answers (id, ticket_id, decision, reason, intent, confidence, article_ids, model_version, kb_version, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, ticketID, result.decision.rawValue, result.reason?.rawValue, result.intents.first?.intent,
                                 result.intents.first.map { min(max($0.score, 0), 1) }, articles, result.modelVersion,
                                 result.kbVersion, Self.now()])
            try db.execute(sql: "UPDATE tickets SET status = ? WHERE id = ?",
                           arguments: [result.decision == .answer ? "answered" : "escalated", ticketID])
        }
        var details: [String: AuditValue] = ["decision": .string(result.decision.rawValue), "model": .string(result.modelVersion),
                                             "kb": .string(result.kbVersion)]
        if let reason = result.reason { details["reason"] = .string(reason.rawValue) }
        if let article = result.articleID { details["article"] = .string(article) }
        try secure.audit.append(AuditEvent(actor: actor, action: .inference, objectType: "ticket", objectID: ticketID,
                                           details: details))
    }
}
