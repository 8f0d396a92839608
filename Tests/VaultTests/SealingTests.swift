import Foundation
import GRDB
import RecordStore
import TestSupport
import Testing
@testable import Vault

/// Sealed fields against tampering, swapping and nonce reuse.
struct SealingTests {
    @Test func everySingleBitFlipIsDetected() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        let context = t.context("p1", "name_sealed")
        let sealed = try t.store.vault.seal("Grace Hopper", context)
        #expect(try t.store.vault.openString(sealed, context) == "Grace Hopper")
        var bytes = [UInt8](sealed)
        for index in bytes.indices {
            for bit in [0, 3, 7] {
                bytes[index] ^= 1 << bit
                #expect(throws: VaultError.self, "byte \(index) bit \(bit)") { try t.store.vault.open(Data(bytes), context) }
                bytes[index] ^= 1 << bit
            }
        }
        for cut in [0, 10, sealed.count - 1] {
            #expect(throws: VaultError.self) { try t.store.vault.open(sealed.prefix(cut), context) }
        }
    }

    @Test func ciphertextsCannotMoveBetweenRowsColumnsStoresOrVersions() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        try t.insert(id: "p1", name: "Alice", email: "alice@example.org")
        try t.insert(id: "p2", name: "Bob", email: "bob@example.org")
        // Swap the sealed names of two rows through SQL, as an attacker with the file would.
        try t.store.database.write { db in
            let a = try Data.fetchOne(db, sql: "SELECT name_sealed FROM people WHERE id = 'p1'")!
            let b = try Data.fetchOne(db, sql: "SELECT name_sealed FROM people WHERE id = 'p2'")!
            try db.execute(sql: "UPDATE people SET name_sealed = ? WHERE id = 'p1'", arguments: [b])
            try db.execute(sql: "UPDATE people SET name_sealed = ? WHERE id = 'p2'", arguments: [a])
        }
        #expect(throws: VaultError.tampered(table: "people", column: "name_sealed", row: "p1")) { try t.name(of: "p1") }
        let email = try t.store.database.read { try Data.fetchOne($0, sql: "SELECT email_sealed FROM people WHERE id = 'p1'")! }
        #expect(throws: VaultError.self) { try t.store.vault.open(email, t.context("p1", "name_sealed")) }
        var otherVersion = t.context("p1", "email_sealed")
        otherVersion.schemaVersion = 2
        #expect(throws: VaultError.self) { try t.store.vault.open(email, otherVersion) }
    }

    /// Nonces come from a per-session counter under a per-session derived key: a million
    /// nonces of the sealing path never repeat, real seals carry them, and two sessions never
    /// share a derived key.
    @Test func noncesNeverRepeat() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        var seen = Set<Data>()
        for _ in 0..<1_000_000 {
            let (_, salt, _, nonce) = try t.store.vault.nextNonce()
            seen.insert(Data(salt + nonce))
        }
        #expect(seen.count == 1_000_000)
        let context = t.context("p", "name_sealed")
        var sealedNonces = Set<Data>()
        for i in 0..<20_000 {
            let value = try SealedValue.decode(t.store.vault.seal(Data([UInt8(i & 0xFF)]), context)).get()
            sealedNonces.insert(Data(value.salt + value.nonce))
            #expect(!seen.contains(Data(value.salt + value.nonce)) || i < 0)
        }
        #expect(sealedNonces.count == 20_000)
        let again = try TemporaryStore.open(t.location)
        let a = try SealedValue.decode(t.store.vault.seal("x", context)).get()
        let b = try SealedValue.decode(again.vault.seal("x", context)).get()
        #expect(a.salt != b.salt)
    }

    @Test func lookupHashesAreKeyedAndStable() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        let h1 = try t.store.vault.lookupHash("ada@example.org", purpose: "email")
        #expect(h1 == (try t.store.vault.lookupHash("ada@example.org", purpose: "email")))
        #expect(h1 != (try t.store.vault.lookupHash("ada@example.org", purpose: "patient_id")))
        try t.store.vault.rewrapAll()
        #expect(h1 == (try TemporaryStore.open(t.location).vault.lookupHash("ada@example.org", purpose: "email")))
        let other = try TemporaryStore.make()
        defer { other.cleanUp() }
        #expect(h1 != (try other.store.vault.lookupHash("ada@example.org", purpose: "email")))
    }

    @Test func shreddedRecordKeysMakeTheirPayloadUnrecoverable() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        let key = try t.store.vault.createRecordKey()
        let context = SealContext(table: "studies", column: "headers", row: "s1")
        let sealed = try t.store.vault.seal(Data("PatientName=Doe^John".utf8), context, recordKey: key)
        #expect(try t.store.vault.openString(sealed, context) == "PatientName=Doe^John")
        try t.store.vault.shred(recordKey: key)
        #expect(throws: VaultError.shredded(table: "studies", column: "headers", row: "s1")) {
            try TemporaryStore.open(t.location).vault.open(sealed, context)
        }
        #expect(throws: VaultError.shredded(table: "studies", column: "headers", row: "s1")) {
            try t.store.vault.open(sealed, context)
        }
    }

    @Test func theDatabaseFilesHoldNoIdentifyingValueInClear() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        let people = (0..<50).map { ("p\($0)", "Patient Number\($0) Smith", "patient\($0)@hospital.example") }
        for (id, name, email) in people { try t.insert(id: id, name: name, email: email) }
        try t.store.audit.append(AuditEventFactory.read(id: "p1"))
        var files = [t.location.database.path, t.location.database.path + "-wal", t.location.checkpointFile.path]
        files = files.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(files.count >= 2)
        let contents = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        for (_, name, email) in people {
            for value in [name, email, "Smith", "hospital.example"] {
                for data in contents { #expect(data.range(of: Data(value.utf8)) == nil, "\(value) found in clear") }
            }
        }
    }
}

import AuditLog
enum AuditEventFactory {
    static func read(id: String) -> AuditEvent {
        AuditEvent(actor: "tester", action: .recordRead, objectType: "person", objectID: id)
    }
}

extension SealingTests {
    /// Shredding in one process takes effect in another that has already opened the record.
    @Test func shreddingReachesOtherOpenVaults() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        let other = try TemporaryStore.open(t.location)
        let key = try t.store.vault.createRecordKey()
        let context = SealContext(table: "studies", column: "headers", row: "s9")
        let sealed = try t.store.vault.seal(Data("secret headers".utf8), context, recordKey: key)
        #expect(try other.vault.openString(sealed, context) == "secret headers")
        try t.store.vault.shred(recordKey: key)
        #expect(throws: VaultError.shredded(table: "studies", column: "headers", row: "s9")) { try other.vault.open(sealed, context) }
    }
}
