import Foundation
import RecordStore
import TestSupport
import Testing
import GRDB
import Crypto
@testable import Vault

/// Key files and keyrings as an attacker or a careless operator would meet them.
struct KeyringTests {
    @Test func initCreatesAPrivateFileAndRefusesToOverwrite() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("keyring.json")
        let keyring = try KeyringFile.create(at: url)
        var info = stat()
        stat(url.path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(throws: VaultError.keyringExists(path: url.path)) { try KeyringFile.create(at: url) }
        #expect(try KeyringFile.read(url).versions == keyring.versions)
    }

    @Test func truncatedEditedOrOpenKeyFilesAreRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("keyring.json")
        try KeyringFile.create(at: url)
        let bytes = try Data(contentsOf: url)
        for cut in [0, 1, bytes.count / 2, bytes.count - 2] {
            try Data(bytes.prefix(cut)).write(to: url)
            chmod(url.path, 0o600)
            #expect(throws: VaultError.self, "cut at \(cut)") { try KeyringFile.read(url) }
        }
        try bytes.write(to: url)
        chmod(url.path, 0o644)
        #expect { try KeyringFile.read(url) } throws: { "\($0)".contains("chmod 600") }
    }

    @Test func environmentKeyringsAreValidated() throws {
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        #expect(try Keyring.parse(environmentValue: "1:\(key),3:\(key)", variable: "K").activeVersion == 3)
        for bad in ["", "1:", "x:\(key)", "1:\(Data(count: 16).base64EncodedString())", "1:\(key),1:\(key)"] {
            #expect(throws: VaultError.self, "\(bad)") { try Keyring.parse(environmentValue: bad, variable: "K") }
        }
    }

    @Test func missingAndWrongKeysAreClearErrorsNeverPlaintext() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        try t.insert(id: "p1", name: "Ada Lovelace", email: "ada@example.org")
        // Missing key: nothing is created or opened.
        let elsewhere = Fixtures.storeLocation(home: t.home, keyFile: t.home.appendingPathComponent("absent.json"))
        #expect { try TemporaryStore.open(elsewhere) } throws: { error in
            if case .missingKeyring? = error as? VaultError { return "\(error)".contains("keys init") }
            return false
        }
        // Wrong key: a different keyring cannot unwrap the store's data keys.
        let other = t.home.appendingPathComponent("other.json")
        try KeyringFile.create(at: other)
        #expect { try TemporaryStore.open(Fixtures.storeLocation(home: t.home, keyFile: other)) } throws: { error in
            if case .wrongKey(let store, let version)? = error as? VaultError { return store == "test" && version == 1 }
            return false
        }
        // The right key from the environment works.
        let keyring = try KeyringFile.read(t.location.keyFile)
        let value = keyring.versions.map { v in "\(v):" + keyring.keys[v]!.withUnsafeBytes { Data($0).base64EncodedString() } }
            .joined(separator: ",")
        let fromEnvironment = try TemporaryStore.open(Fixtures.storeLocation(home: t.home, keyFile: other), environment: ["TEST_KEYS": value])
        #expect(try fromEnvironment.vault.openString(
            fromEnvironment.database.read { try Data.fetchOne($0, sql: "SELECT name_sealed FROM people")! },
            t.context("p1", "name_sealed")) == "Ada Lovelace")
    }
}
