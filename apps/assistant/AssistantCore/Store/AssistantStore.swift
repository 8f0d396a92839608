import AuditLog
import Crypto
public import Foundation
import GRDB
public import RecordStore
import SuiteFoundation
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
        if access != .inspect { try tagLegacyRows() }
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

    /// Stores a ticket (text and e-mail sealed) and the decision on it in one transaction with
    /// their audit entries (`record.create` for a new ticket, `inference` for the decision), so a
    /// crash leaves both stored and audited, or neither. Storing a ticket id again (a batch row
    /// run again by `--resume`) replaces its text and decision: one more `inference`, never a
    /// second `record.create`, row or answer. Both rows get their integrity tags.
    /// - Parameter id: a stable id (batch rows); nil for a new random one.
    /// - Returns: the ticket id.
    @discardableResult
    func record(_ result: AnswerResult, text: String, email: String?, source: TicketChannel, actor: String,
                        id: String? = nil) throws -> String {
        let id = id ?? RecordID.make()
        let now = Timestamp.now()
        var ticket = TicketRecord(
            id: id, createdAt: now, source: source, status: result.decision == .answer ? .answered : .escalated,
            textSealed: try vault.seal(text, Self.context("tickets", "text_sealed", id)),
            emailSealed: try email.map { try vault.seal($0, Self.context("tickets", "email_sealed", id)) },
            emailLookup: try email.map { try vault.lookupHash($0.lowercased(), purpose: "email") }, integrity: nil)
        ticket.integrity = integrityTag(ticket)
        var answer = AnswerRecord(
            id: id + "-answer", ticketID: id, decision: result.decision, reason: result.reason,
            intent: result.intents.first?.intent, confidence: result.intents.first.map { min(max($0.score, 0), 1) },
            articleIDs: try JSONOutput.string(result.sources.map(\.articleID)), modelVersion: result.modelVersion,
            kbVersion: result.kbVersion, createdAt: now, integrity: nil)
        answer.integrity = integrityTag(answer)
        try secure.audit.transaction { db -> ((), [AuditEvent]) in
            let isNew = try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM tickets WHERE id = ?)", arguments: [id]) ?? false)
            try db.execute(sql: """
                INSERT INTO tickets (id, created_at, source, status, text_sealed, email_sealed, email_lookup, integrity)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET created_at = excluded.created_at, source = excluded.source,
                    status = excluded.status, text_sealed = excluded.text_sealed, email_sealed = excluded.email_sealed,
                    email_lookup = excluded.email_lookup, integrity = excluded.integrity
                """, arguments: [id, ticket.createdAt, ticket.source.rawValue, ticket.status.rawValue, ticket.textSealed,
                                 ticket.emailSealed, ticket.emailLookup, ticket.integrity])
            // An upsert, not INSERT OR REPLACE: replacing would delete the answer's feedback (ON DELETE CASCADE).
            try db.execute(sql: """
                INSERT INTO answers (id, ticket_id, decision, reason, intent, confidence, article_ids, model_version,
                                     kb_version, created_at, integrity)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
                    intent = excluded.intent, confidence = excluded.confidence, article_ids = excluded.article_ids,
                    model_version = excluded.model_version, kb_version = excluded.kb_version,
                    created_at = excluded.created_at, integrity = excluded.integrity
                """, arguments: [answer.id, id, answer.decision.rawValue, answer.reason?.rawValue, answer.intent,
                                 answer.confidence, answer.articleIDs, answer.modelVersion, answer.kbVersion,
                                 answer.createdAt, answer.integrity])
            var details: [String: AuditValue] = ["decision": .string(result.decision.rawValue),
                                                 "model": .string(result.modelVersion), "kb": .string(result.kbVersion)]
            if let reason = result.reason { details["reason"] = .string(reason.rawValue) }
            if let article = result.articleID { details["article"] = .string(article) }
            let inference = AuditEvent(actor: actor, action: .inference, objectType: "ticket", objectID: id, details: details)
            return ((), isNew ? [AuditEvent(actor: actor, action: .recordCreate, objectType: "ticket", objectID: id), inference]
                              : [inference])
        }
        return id
    }

    /// Reads and decrypts a ticket; the read is audited.
    /// - Throws: `IntegrityError` when the row does not carry the tag of its fields (audited as a
    ///   failed read).
    package func ticket(id: String, actor: String) throws -> Ticket? {
        guard let row = try database.read({ db in try Row.fetchOne(db, TicketRecord.filter(key: id)) }) else { return nil }
        guard try hasIntegrity(TicketRecord.decodeStored(row), actor: actor) else {
            throw IntegrityError(rows: [.init(table: TicketRecord.databaseTableName, id: id)])
        }
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
