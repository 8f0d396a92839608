import AuditLog
import Foundation
import GRDB
import RecordStore
import TestSupport
import Testing
import Vault
@testable import AssistantCore

/// The assistant's store keeps tickets sealed, findable by keyed hash, and audited; a ticket and
/// its decision are written in one transaction with their audit entries.
struct AssistantStoreTests {
    static func makeStore() throws -> (AssistantStore, URL) {
        let home = try Fixtures.temporaryDirectory()
        let location = StoreLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        return (try AssistantStore(location: location, environment: [:]), home)
    }

    /// A decision as the answerer makes it, without a model.
    static func decision(_ decision: AnswerResult.Decision = .answer, intent: String = "card_delivery",
                         articles: [String] = ["kb-card-not-arrived"]) -> AnswerResult {
        AnswerResult(ticketID: nil, decision: decision, reason: decision == .answer ? nil : .lowConfidence, answer: nil,
                     articleID: articles.first, title: nil, intents: [.init(intent: intent, score: 0.8125)],
                     sources: articles.map { .init(articleID: $0, cosine: 0.5, fusedScore: 0.03) },
                     redacted: [], reading: nil, language: "english", modelVersion: "m", kbVersion: "kb1")
    }

    /// Stores a ticket with `decision()`; returns its id.
    @discardableResult
    static func answered(_ store: AssistantStore, _ text: String, email: String? = nil, source: TicketChannel = .cli,
                         id: String? = nil) throws -> String {
        try store.record(decision(), text: text, email: email, source: source, actor: "agent-7", id: id)
    }

    @Test func ticketsRoundTripAndReadsAreAudited() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let id = try Self.answered(store, "My card 4111 1111 1111 1111 was declined", email: "Jane.Doe@example.com")
        let ticket = try #require(try store.ticket(id: id, actor: "agent-7"))
        #expect(ticket.text == "My card 4111 1111 1111 1111 was declined")
        #expect(ticket.email == "Jane.Doe@example.com" && ticket.status == .answered)
        #expect(try store.ticketIDs(email: "jane.doe@EXAMPLE.com") == [id])
        let actions = try store.secure.audit.entries().filter { $0.actor == "agent-7" }.map(\.action)
        #expect(actions == [AuditAction.recordCreate.rawValue, AuditAction.inference.rawValue, AuditAction.recordRead.rawValue])
        #expect(try store.secure.audit.verify().isIntact)
    }

    /// Storing the same ticket id again (a batch row run again by --resume) updates it: one
    /// ticket, one answer, one `record.create`, and the feedback on the answer kept.
    @Test func answeringAgainUpdatesWithoutASecondCreate() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        try Self.answered(store, "where is my card", id: "batch-x-1")
        _ = try store.addFeedback(ticketID: "batch-x-1", verdict: .accept, reason: nil, editedText: nil, actor: "agent-7")
        try store.record(Self.decision(.escalate), text: "where is my card", email: nil, source: .batch, actor: "agent-7",
                         id: "batch-x-1")
        let counts = try store.secure.database.read { db in
            try ["tickets", "answers", "feedback"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
        }
        #expect(counts == [1, 1, 1])
        #expect(try store.ticket(id: "batch-x-1", actor: "agent-7")?.status == .escalated)
        let entries = try store.secure.audit.entries().filter { $0.objectID == "batch-x-1" }.map(\.action)
        #expect(entries == ["record.create", "inference", "review", "inference", "record.read"])
    }

    /// A write that fails leaves nothing behind: no ticket without its answer, no audit entry
    /// without its rows, no rows without their entries.
    @Test func aFailedAnswerWriteLeavesNoTicketAndNoEntry() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let before = try store.secure.audit.entries().count
        try store.secure.database.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_answers BEFORE INSERT ON answers BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END
                """)
        }
        #expect(throws: DatabaseError.self) { try Self.answered(store, "my card never arrived", id: "t-1") }
        let tickets = try store.secure.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tickets") }
        #expect(tickets == 0)
        #expect(try store.secure.audit.entries().count == before)
        #expect(try store.secure.audit.verify().isIntact)
    }

    /// Every value a person typed — ticket text, e-mail, a reviewer's reason and edited answer —
    /// is absent from the database, its WAL and the de-identified export (present only in the
    /// decrypted export).
    @Test func noPersonTypedTextReachesTheDatabaseFiles() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        var markers: [String] = []
        for i in 0..<30 {
            let (text, email) = ("Ticket from Marguerite\(i) Oyelaran about order", "m\(i).oyelaran@mail.example")
            let reason = "ReasonMarker\(i) Quillfeather said so", edited = "EditedMarker\(i) Quillfeather's better answer"
            let id = try Self.answered(store, text, email: email)
            _ = try store.addFeedback(ticketID: id, verdict: .edit, reason: reason, editedText: edited, actor: "agent-7")
            _ = try store.addFeedback(ticketID: id, verdict: .reject, reason: reason + " again", editedText: nil, actor: "agent-7")
            markers += [text, email, reason, edited]
        }
        var exported = Data()
        _ = try store.exportRecords(to: { exported.append($0) }, deidentify: true)
        let files = [store.secure.location.database.path, store.secure.location.database.path + "-wal",
                     store.secure.location.checkpointFile.path].filter { FileManager.default.fileExists(atPath: $0) }
        #expect(files.count == 3)
        let contents = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } + [exported]
        for needle in markers + ["Oyelaran", "mail.example", "Quillfeather"] {
            for data in contents { #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) in clear") }
        }
        var decrypted = Data()
        #expect(try store.exportRecords(to: { decrypted.append($0) }, deidentify: false) == 30)
        for needle in ["m7.oyelaran@mail.example", "ReasonMarker7 Quillfeather said so", "EditedMarker7 Quillfeather"] {
            #expect(decrypted.range(of: Data(needle.utf8)) != nil, "\(needle) missing from the decrypted export")
        }
    }

    /// `keys rotate --reencrypt` moves every sealed column, the feedback reason included, and the
    /// integrity tags (keyed from the audit key) stay valid.
    @Test func reencryptionMovesTheReasonAndKeepsTheTags() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let id = try Self.answered(store, "my card never arrived", email: "a@example.org")
        _ = try store.addFeedback(ticketID: id, verdict: .edit, reason: "too vague", editedText: "better", actor: "agent-7")
        #expect(AssistantSchema.sealedColumns.contains { $0.column == "reason_sealed" })
        #expect(try store.secure.vault.reencrypt(columns: store.sealedColumns) == 4)
        var lines = Data()
        #expect(try store.exportRecords(to: { lines.append($0) }, deidentify: false) == 1)
        let line = try #require(try JSONSerialization.jsonObject(with: lines) as? [String: Any])
        #expect(line["integrity"] as? String == "ok")
        #expect((line["feedback"] as? [[String: Any]])?.first?["reason"] as? String == "too vague")
    }
}

/// Stored tickets read back as typed values; a value changed outside the suite names its column.
struct AssistantRecordTests {
    @Test func aCorruptTicketStatusNamesTableRowAndColumn() throws {
        let (store, home) = try AssistantStoreTests.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let id = try AssistantStoreTests.answered(store, "where is my card", source: .http)
        let ticket = try #require(try store.ticket(id: id, actor: "test"))
        #expect(ticket.status == .answered && ticket.source == .http)
        try store.secure.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE tickets SET status = 'closed' WHERE id = ?", arguments: [id])
        }
        #expect { try store.ticket(id: id, actor: "test") } throws: {
            ($0 as? CorruptRecordError).map { $0.table == "tickets" && $0.row == id && $0.column == "status" } ?? false
        }
    }
}
