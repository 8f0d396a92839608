import AuditLog
import Foundation
import GRDB
import RecordStore
import TestSupport
import Testing
import Vault
@testable import AssistantCore

/// Every decision in the assistant's store carries an integrity tag: an edit made with an SQL
/// shell is caught by every read, shown as `integrity failed` and audited, never skipped.
struct AssistantIntegrityTests {
    /// Runs `sql` through a connection of its own, as someone with the file and an SQL shell would.
    static func tamper(_ store: AssistantStore, _ sql: String) throws {
        let queue = try DatabaseQueue(path: store.secure.location.database.path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: sql)
        }
    }

    /// Exports decrypted; returns the lines and the error thrown after them, if any.
    static func export(_ store: AssistantStore) -> (lines: [[String: Any]], error: (any Error)?) {
        var data = Data()
        var thrown: (any Error)?
        do { _ = try store.exportRecords(to: { data.append($0) }, deidentify: false) } catch { thrown = error }
        let lines = data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
        return (lines, thrown)
    }

    static func integrityFailures(_ store: AssistantStore) throws -> [AuditEntry] {
        try store.secure.audit.entries(matching: .init(action: .recordRead)).filter {
            $0.outcome == "failure" && $0.details.contains("\"integrity\":\"failed\"")
        }
    }

    @Test func anEscalationTurnedIntoAnAnswerIsCaughtByTheExport() throws {
        let (store, home) = try AssistantStoreTests.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        try AssistantStoreTests.answered(store, "my card never arrived", id: "good")
        try store.record(AssistantStoreTests.decision(.escalate), text: "what is the weather on Mars", email: nil,
                         source: .cli, actor: "agent-7", id: "bad")
        #expect(Self.export(store).error == nil)
        try Self.tamper(store, #"UPDATE answers SET decision = 'answer', reason = NULL, article_ids = '["x"]' WHERE ticket_id = 'bad'"#)
        let (lines, error) = Self.export(store)
        #expect(error as? IntegrityError == IntegrityError(rows: [.init(table: "answers", id: "bad-answer")]))
        #expect("\(error.map { "\($0)" } ?? "")".hasPrefix("integrity failed: 1 row changed outside the suite (answers bad-answer)"))
        #expect(lines.map { $0["id"] as? String } == ["good", "bad"] || lines.map { $0["id"] as? String } == ["bad", "good"])
        let bad = try #require(lines.first { $0["id"] as? String == "bad" })
        #expect(bad["integrity"] as? String == "failed")
        #expect(lines.first { $0["id"] as? String == "good" }?["integrity"] as? String == "ok")
        let audited = try Self.integrityFailures(store)
        #expect(audited.map(\.objectType) == ["answer"] && audited.map(\.objectID) == ["bad-answer"])
        #expect(try store.secure.audit.verify().isIntact)
    }

    @Test func aTicketStatusChangedOrATagRemovedFailsTheTicketRead() throws {
        let (store, home) = try AssistantStoreTests.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        try AssistantStoreTests.answered(store, "my card never arrived", id: "t1")
        try AssistantStoreTests.answered(store, "how do I freeze my card", id: "t2")
        try Self.tamper(store, "UPDATE tickets SET status = 'escalated' WHERE id = 't1'")
        #expect(throws: IntegrityError(rows: [.init(table: "tickets", id: "t1")])) { try store.ticket(id: "t1", actor: "agent-7") }
        // A removed tag is no way around the check — and reopening the store does not tag the row
        // again (the one-time legacy pass is over).
        try Self.tamper(store, "UPDATE tickets SET integrity = NULL WHERE id = 't2'")
        let reopened = try AssistantStore(location: store.secure.location, environment: [:])
        #expect(throws: IntegrityError.self) { try reopened.ticket(id: "t2", actor: "agent-7") }
        #expect(try Self.integrityFailures(reopened).map(\.objectID) == ["t1", "t2"])
        let legacyPasses = try reopened.secure.audit.entries(matching: .init(action: .keyManagement)).filter { $0.objectType == "integrity" }
        #expect(legacyPasses.count == 1)
    }

    @Test func aFeedbackVerdictChangedOrAReasonPlantedInClearIsCaught() throws {
        let (store, home) = try AssistantStoreTests.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        try AssistantStoreTests.answered(store, "my card never arrived", id: "t1")
        let reject = try store.addFeedback(ticketID: "t1", verdict: .reject, reason: "wrong article", editedText: nil, actor: "agent-7")
        let accept = try store.addFeedback(ticketID: "t1", verdict: .accept, reason: nil, editedText: nil, actor: "agent-7")
        try Self.tamper(store, "UPDATE feedback SET verdict = 'accept', reason_sealed = NULL WHERE id = '\(reject)'")
        try Self.tamper(store, "UPDATE feedback SET reason = 'planted' WHERE id = '\(accept)'")
        let error = try #require(Self.export(store).error as? IntegrityError)
        #expect(Set(error.rows.map(\.id)) == [reject, accept] && error.rows.allSatisfy { $0.table == "feedback" })
    }

    @Test func aTokenWithARaisedRoleIsRefused() throws {
        let (store, home) = try AssistantStoreTests.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let secret = try store.createToken(name: "desk", role: .agent, actor: "admin")
        #expect(try store.authenticate(secret)?.role == .agent)
        try Self.tamper(store, "UPDATE api_tokens SET role = 'admin' WHERE name = 'desk'")
        #expect(try store.authenticate(secret) == nil)
        #expect(try Self.integrityFailures(store).map(\.objectType) == ["api_token"])
        #expect(try store.revokeToken(name: "desk", actor: "admin"))
        #expect(try !store.revokeToken(name: "desk", actor: "admin"))
    }

    /// A store written by v1 (no tags, reasons in clear): the first open with the key tags its
    /// rows and seals its reasons, once, audited; no clear reason is left in the files.
    @Test func aVersion1StoreIsTaggedAndSealedAtItsFirstOpen() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let location = StoreLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        let reason = "LegacyReasonMarker Quillfeather was unhappy"
        do {
            let pool = try SecureStore.openDatabase(at: location.database)
            var migrator = DatabaseMigrator()
            Vault.registerMigrations(&migrator)
            AuditLog.registerMigrations(&migrator)
            AssistantSchema.registerMigrations(&migrator)
            try migrator.migrate(pool, upTo: "assistant v1")
            let vault = try Vault(store: AssistantStore.product, writer: pool, keyring: try KeyringFile.read(location.keyFile))
            let text = try vault.seal("my card never arrived", AssistantStore.context("tickets", "text_sealed", "old"))
            try pool.write { db in
                try db.execute(sql: "INSERT INTO tickets VALUES ('old', '2025-01-01T00:00:00.000Z', 'cli', 'answered', ?, NULL, NULL)",
                               arguments: [text])
                try db.execute(sql: """
                    INSERT INTO answers VALUES ('old-answer', 'old', 'answer', NULL, 'card_delivery', 0.75, '["kb-card-not-arrived"]',
                                                'm', 'kb1', '2025-01-01T00:00:00.000Z')
                    """)
                try db.execute(sql: "INSERT INTO feedback VALUES ('f1', 'old-answer', 'reject', ?, NULL, 'agent-7', '2025-01-02T00:00:00.000Z')",
                               arguments: [reason])
            }
        }
        let store = try AssistantStore(location: location, environment: [:])
        let (lines, error) = Self.export(store)
        #expect(error == nil)
        #expect(lines.first?["integrity"] as? String == "ok")
        #expect((lines.first?["feedback"] as? [[String: Any]])?.first?["reason"] as? String == reason)
        let pass = try #require(try store.secure.audit.entries(matching: .init(action: .keyManagement)).first { $0.objectType == "integrity" })
        #expect(pass.details.contains("\"answers\":1") && pass.details.contains("\"reasons_sealed\":1"))
        let files = [location.database.path, location.database.path + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        for file in files {
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)).range(of: Data("LegacyReasonMarker".utf8)) == nil, "\(file)")
        }
    }
}
