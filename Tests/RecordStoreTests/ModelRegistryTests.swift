import AuditLog
import Crypto
import Foundation
import GRDB
import RecordStore
import TestSupport
import Synchronization
import Testing
import Vault

/// The shared model registry on a test store, with a stand-in product check (a folder is a
/// model when it has a `model.txt` that starts with "model"): content addresses, idempotent and
/// atomic adds, refusals naming the file, prefixes, and promote / rollback / retire with their
/// audit entries.
struct ModelRegistryTests {
    struct NotAModel: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path): not a model file" }
    }

    static func validate(_ folder: URL) throws {
        let file = folder.appendingPathComponent("model.txt")
        guard let text = try? String(contentsOf: file, encoding: .utf8), text.hasPrefix("model") else { throw NotAModel(path: file.path) }
    }

    /// A store with the registry's tables, and its registry.
    static func registry() throws -> (ModelRegistry, URL) {
        let home = try Fixtures.temporaryDirectory()
        let location = Fixtures.storeLocation(home: home)
        try KeyringFile.create(at: location.keyFile, storeID: StoreLocation.newStoreID())
        let secure = try SecureStore(product: "test", location: location, keysVariable: "TEST_KEYS", environment: [:], access: .create) {
            TemporaryStore.migrations(&$0)
            ModelRegistry.registerMigrations(&$0)
        }
        return (ModelRegistry(secure: secure, validate: validate), home)
    }

    /// A model folder with `model.txt` saying `text`, a card and a nested file.
    static func modelFolder(_ text: String, in parent: URL, name: String = UUID().uuidString) throws -> URL {
        let folder = parent.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: folder.appendingPathComponent("model.txt"))
        try Data("# card\n".utf8).write(to: folder.appendingPathComponent("MODEL_CARD.md"))
        try Data([0, 1, 2]).write(to: folder.appendingPathComponent("sub/weights.bin"))
        return folder
    }

    static func cleanUp(_ home: URL) {
        _ = try? CommandRunner.run("/bin/chmod", ["-R", "u+w", home.path])
        try? FileManager.default.removeItem(at: home)
    }

    static func details(_ entry: AuditEntry) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(entry.details.utf8)) as? [String: Any])
    }

    @Test func theIdIsTheDocumentedCanonicalHashAndSurvivesACopy() throws {
        let (_, home) = try Self.registry()
        defer { Self.cleanUp(home) }
        let folder = try Self.modelFolder("model A", in: home)
        var expected = Data()
        for (path, bytes) in [("MODEL_CARD.md", Data("# card\n".utf8)), ("model.txt", Data("model A".utf8)), ("sub/weights.bin", Data([0, 1, 2]))] {
            expected += Data(path.utf8) + [0] + Data(String(bytes.count).utf8) + [0] + bytes
        }
        let id = SHA256.hash(data: expected).map { String(format: "%02x", $0) }.joined()
        let content = try ModelVersionContent(folder: folder)
        #expect(content.id == id)
        #expect(content.files.map(\.path) == ["MODEL_CARD.md", "model.txt", "sub/weights.bin"])
        let copy = home.appendingPathComponent("elsewhere/copy")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: folder, to: copy)
        #expect(try ModelVersionContent(folder: copy).id == id)
        try Data("model B".utf8).write(to: copy.appendingPathComponent("model.txt"))
        #expect(try ModelVersionContent(folder: copy).id != id)
    }

    @Test func addingTwiceIsIdempotentAndTheStoredCopyIsReadOnly() throws {
        let (registry, home) = try Self.registry()
        defer { Self.cleanUp(home) }
        let folder = try Self.modelFolder("model A", in: home)
        let (first, added) = try registry.add(folder, actor: "cli:test")
        #expect(added && first.files == 3 && first.card && first.status == "available" && first.id.count == 64)
        let copy = home.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: folder, to: copy)
        let (second, addedAgain) = try registry.add(copy, actor: "cli:test")
        #expect(!addedAgain && second.id == first.id)
        #expect(try registry.versions().map(\.id) == [first.id])
        let adds = try registry.secure.audit.entries(matching: .init(action: .modelManagement))
        #expect(adds.count == 1 && adds[0].objectID == first.id && adds[0].actor == "cli:test")
        #expect(try Self.details(adds[0])["op"] as? String == "add")

        let stored = registry.folder(of: first.id)
        #expect(registry.isIntact(first.id))
        let mode = try FileManager.default.attributesOfItem(atPath: stored.appendingPathComponent("model.txt").path)[.posixPermissions] as? Int
        #expect(mode == 0o444)
        let folderMode = try FileManager.default.attributesOfItem(atPath: stored.path)[.posixPermissions] as? Int
        #expect(folderMode == 0o555)
        // Nothing is left in staging.
        let staging = registry.folder.appendingPathComponent("staging")
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty)
    }

    @Test func aFolderThatIsNotAModelIsRefusedNamingTheFile() throws {
        let (registry, home) = try Self.registry()
        defer { Self.cleanUp(home) }
        let bad = try Self.modelFolder("garbage", in: home)
        #expect {
            try registry.add(bad, actor: "cli:test")
        } throws: { error in
            "\(error)".contains(bad.appendingPathComponent("model.txt").path) && "\(error)".contains("not a loadable model")
        }
        let interrupted = try Self.modelFolder("model A", in: home)
        try Data().write(to: interrupted.appendingPathComponent("checkpoint.safetensors"))
        #expect(throws: ModelRegistryError.incomplete(path: interrupted.appendingPathComponent("checkpoint.safetensors").path)) {
            try registry.add(interrupted, actor: "cli:test")
        }
        let linked = try Self.modelFolder("model A", in: home)
        try FileManager.default.createSymbolicLink(atPath: linked.appendingPathComponent("link").path, withDestinationPath: "model.txt")
        #expect(throws: ModelRegistryError.unsupportedEntry(path: linked.appendingPathComponent("link").path)) {
            try registry.add(linked, actor: "cli:test")
        }
        let empty = home.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: ModelRegistryError.empty(path: empty.path)) { try registry.add(empty, actor: "cli:test") }
        #expect(try registry.versions().isEmpty)
        #expect(try registry.secure.audit.entries(matching: .init(action: .modelManagement)).isEmpty)
    }

    @Test func promoteRollbackAndRetireAreAuditedWithFromAndTo() throws {
        let (registry, home) = try Self.registry()
        defer { Self.cleanUp(home) }
        let a = try registry.add(try Self.modelFolder("model A", in: home), actor: "cli:test").version.id
        let b = try registry.add(try Self.modelFolder("model B", in: home), actor: "cli:test").version.id
        let c = try registry.add(try Self.modelFolder("model C", in: home), actor: "cli:test").version.id
        #expect(try registry.active() == nil)
        #expect(throws: ModelRegistryError.noActiveVersion) { try registry.rollback(actor: "cli:test") }

        #expect(try registry.promote(a, actor: "cli:alice").from == nil)
        #expect(throws: ModelRegistryError.nothingToRollBackTo(active: a)) { try registry.rollback(actor: "cli:test") }
        #expect(throws: ModelRegistryError.alreadyActive(version: a)) { try registry.promote(String(a.prefix(10)), actor: "cli:test") }
        _ = try registry.promote(String(b.prefix(12)).uppercased(), actor: "cli:bob")
        _ = try registry.promote(c, actor: "cli:bob")
        #expect(try registry.activeFolder()?.id == c)
        #expect(try registry.versions().filter(\.active).map(\.id) == [c])

        // Retiring the active version is refused; another one can be retired.
        #expect(throws: ModelRegistryError.activeCannotRetire(version: c)) { try registry.retire(c, actor: "cli:test") }
        // Two rollbacks go two versions back (c → b → a), not back and forth.
        let back = try registry.rollback(actor: "cli:carol")
        #expect(back.op == .rollback && back.from == c && back.to == b)
        #expect(try registry.rollback(actor: "cli:carol").to == a)
        #expect(try registry.retire(c, actor: "cli:dave").status == "retired")
        #expect(throws: ModelRegistryError.retired(version: c)) { try registry.promote(c, actor: "cli:test") }
        #expect(try registry.history().map(\.op) == [.promote, .promote, .promote, .rollback, .rollback])

        let entries = try registry.secure.audit.entries(matching: .init(action: .modelManagement)).dropFirst(3)  // the adds
        let summary = try entries.map { entry -> String in
            let d = try Self.details(entry)
            return "\(entry.actor) \(d["op"] as! String) \(entry.objectID.prefix(4)) \((d["from"] as! String).prefix(4))→\((d["to"] as! String).prefix(4))"
        }
        let (sa, sb, sc) = (a.prefix(4), b.prefix(4), c.prefix(4))
        #expect(summary == [
            "cli:alice promote \(sa) none→\(sa)", "cli:bob promote \(sb) \(sa)→\(sb)", "cli:bob promote \(sc) \(sb)→\(sc)",
            "cli:carol rollback \(sb) \(sc)→\(sb)", "cli:carol rollback \(sa) \(sb)→\(sa)", "cli:dave retire \(sc) \(sa)→\(sa)",
        ])
        #expect(try registry.secure.audit.verify(witnessFiles: []).firstProblem == nil)
    }

    @Test func aPrefixMustBeUnambiguousHexAndKnown() throws {
        let (registry, home) = try Self.registry()
        defer { Self.cleanUp(home) }
        // 17 versions: two of them share their first hex digit.
        var ids: [String] = []
        for i in 0..<17 { ids.append(try registry.add(try Self.modelFolder("model \(i)", in: home), actor: "cli:test").version.id) }
        let shared = try #require(Dictionary(grouping: ids, by: { $0.prefix(1) }).first { $0.value.count > 1 })
        #expect {
            try registry.version(String(shared.key))
        } throws: { error in
            guard case ModelRegistryError.ambiguous(let prefix, let matches) = error else { return false }
            return prefix == String(shared.key) && Set(matches).isSuperset(of: shared.value) && "\(error)".contains("ambiguous")
        }
        #expect(throws: ModelRegistryError.invalidPrefix("xyz")) { try registry.version("xyz") }
        #expect(throws: ModelRegistryError.invalidPrefix("")) { try registry.version("") }
        let unknown = String(repeating: "0", count: 64) == ids[0] ? String(repeating: "1", count: 64) : String(repeating: "0", count: 64)
        #expect(throws: ModelRegistryError.unknownVersion(prefix: unknown)) { try registry.version(unknown) }
        #expect(try registry.version(ids[3]).id == ids[3])
    }

    @Test func anActiveRowChangedWithAnSQLShellIsRefused() throws {
        let (registry, home) = try Self.registry()
        defer { Self.cleanUp(home) }
        let a = try registry.add(try Self.modelFolder("model A", in: home), actor: "cli:test").version.id
        let b = try registry.add(try Self.modelFolder("model B", in: home), actor: "cli:test").version.id
        _ = try registry.promote(a, actor: "cli:test")
        try registry.secure.database.write { db in
            try db.execute(sql: "UPDATE model_active SET version_id = ?", arguments: [b])
        }
        #expect(throws: ModelRegistryError.integrityFailed(table: "model_active")) { try registry.activeFolder() }
    }

    @Test func aVersionWhoseFilesChangedCannotBePromoted() throws {
        let (registry, home) = try Self.registry()
        defer { Self.cleanUp(home) }
        let a = try registry.add(try Self.modelFolder("model A", in: home), actor: "cli:test").version.id
        let file = registry.folder(of: a).appendingPathComponent("model.txt")
        chmod(registry.folder(of: a).path, 0o755)
        chmod(file.path, 0o644)
        try Data("model X".utf8).write(to: file)
        #expect(throws: ModelRegistryError.missingFiles(version: a, path: registry.folder(of: a).path)) {
            try registry.promote(a, actor: "cli:test")
        }
        #expect(try registry.active() == nil && !registry.isIntact(a))
    }
}

/// `ActiveModelFollower`: a promotion is picked up by the next check, off the request path; a
/// version that cannot be loaded is reported once and the previous model stays.
struct ActiveModelFollowerTests {
    struct Unloadable: Error {}

    @Test func followsPromotionsAndKeepsServingWhenALoadFails() throws {
        let (registry, home) = try ModelRegistryTests.registry()
        defer { ModelRegistryTests.cleanUp(home) }
        let a = try registry.add(try ModelRegistryTests.modelFolder("model A", in: home), actor: "cli:test").version.id
        let b = try registry.add(try ModelRegistryTests.modelFolder("model B", in: home), actor: "cli:test").version.id
        let c = try registry.add(try ModelRegistryTests.modelFolder("model C", in: home), actor: "cli:test").version.id
        _ = try registry.promote(a, actor: "cli:test")
        let events = Mutex<[ActiveModelFollower<String>.Event]>([])
        let follower = ActiveModelFollower(registry: registry, initial: "A", versionID: a, interval: .seconds(3600),
                                           load: { id, folder in
                                               guard id != c else { throw Unloadable() }
                                               return try String(contentsOf: folder.appendingPathComponent("model.txt"), encoding: .utf8)
                                           },
                                           report: { event in events.withLock { $0.append(event) } })
        _ = try registry.promote(b, actor: "cli:test")
        // A request that took the model before the check keeps it; the check swaps it for the next ones.
        let inFlight = follower.current()
        follower.refresh()
        #expect(inFlight == "A" && follower.current() == "model B" && follower.versionID == b)
        _ = try registry.promote(c, actor: "cli:test")
        follower.refresh()
        follower.refresh()  // not retried
        #expect(follower.current() == "model B")
        let reported = events.withLock { $0 }
        #expect(reported.count == 2 && reported[0] == .switched(from: a, to: b))
        if case .failed(let version, _) = reported[1] { #expect(version == c) } else { Issue.record("\(reported)") }
        _ = try registry.rollback(actor: "cli:test")
        follower.refresh()
        #expect(follower.current() == "model B")  // rolled back to B, which it serves already
    }

    @Test func aRequestStartsAtMostOneCheckPerInterval() async throws {
        let (registry, home) = try ModelRegistryTests.registry()
        defer { ModelRegistryTests.cleanUp(home) }
        let a = try registry.add(try ModelRegistryTests.modelFolder("model A", in: home), actor: "cli:test").version.id
        let b = try registry.add(try ModelRegistryTests.modelFolder("model B", in: home), actor: "cli:test").version.id
        _ = try registry.promote(a, actor: "cli:test")
        let loads = Mutex(0)
        let follower = ActiveModelFollower(registry: registry, initial: "A", versionID: a, interval: .milliseconds(200),
                                           load: { _, _ in loads.withLock { $0 += 1 }; return "B" })
        _ = try registry.promote(b, actor: "cli:test")
        #expect(follower.current() == "A")  // within the interval: no check yet
        try await Task.sleep(for: .milliseconds(300))
        var served: [String] = []
        for _ in 0..<100 {
            served.append(follower.current())
            if served.last == "B" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(served.first == "A" && served.last == "B" && loads.withLock { $0 } == 1)
    }
}
