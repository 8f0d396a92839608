import AuditLog
import Foundation
import GRDB
import RecordStore
import TestSupport
import Testing
import Vault
@testable import AssistantCore

/// The assistant's store keeps tickets sealed, findable by keyed hash, and audited.
struct AssistantStoreTests {
    static func makeStore() throws -> (AssistantStore, URL) {
        let home = try Fixtures.temporaryDirectory()
        let location = StoreLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        return (try AssistantStore(location: location, environment: [:]), home)
    }

    @Test func ticketsRoundTripAndReadsAreAudited() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let id = try store.createTicket(text: "My card 4111 1111 1111 1111 was declined", email: "Jane.Doe@example.com", actor: "agent-7")
        let ticket = try #require(try store.ticket(id: id, actor: "agent-7"))
        #expect(ticket.text == "My card 4111 1111 1111 1111 was declined")
        #expect(ticket.email == "Jane.Doe@example.com")
        #expect(try store.ticketIDs(email: "jane.doe@EXAMPLE.com") == [id])
        let actions = try store.secure.audit.entries().map(\.action)
        #expect(actions == [AuditAction.recordCreate.rawValue, AuditAction.recordRead.rawValue])
        #expect(try store.secure.audit.verify().isIntact)
    }

    @Test func noIdentifyingValueReachesTheDatabaseFiles() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let secrets = (0..<30).map { ("Ticket from Marguerite\($0) Oyelaran about order", "m\($0).oyelaran@mail.example") }
        for (text, email) in secrets { try store.createTicket(text: text, email: email, actor: "batch") }
        var exported = Data()
        _ = try store.exportRecords(to: { exported.append($0) }, deidentify: true)
        let files = [store.secure.location.database.path, store.secure.location.database.path + "-wal",
                     store.secure.location.checkpointFile.path].filter { FileManager.default.fileExists(atPath: $0) }
        let contents = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } + [exported]
        for (text, email) in secrets {
            for needle in [text, email, "Oyelaran", "mail.example"] {
                for data in contents { #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) in clear") }
            }
        }
        var decrypted = Data()
        #expect(try store.exportRecords(to: { decrypted.append($0) }, deidentify: false) == 30)
        #expect(decrypted.range(of: Data("m7.oyelaran@mail.example".utf8)) != nil)
    }
}

/// Stored tickets read back as typed values; a value changed outside the suite names its column.
struct AssistantRecordTests {
    @Test func aCorruptTicketStatusNamesTableRowAndColumn() throws {
        let (store, home) = try AssistantStoreTests.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let id = try store.createTicket(text: "where is my card", email: nil, source: .http, actor: "test")
        let ticket = try #require(try store.ticket(id: id, actor: "test"))
        #expect(ticket.status == .open && ticket.source == .http)
        try store.secure.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE tickets SET status = 'closed' WHERE id = ?", arguments: [id])
        }
        #expect { try store.ticket(id: id, actor: "test") } throws: {
            ($0 as? CorruptRecordError).map { $0.table == "tickets" && $0.row == id && $0.column == "status" } ?? false
        }
    }
}
