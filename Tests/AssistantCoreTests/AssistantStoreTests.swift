import AuditLog
import Foundation
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
