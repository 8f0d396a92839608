import AuditLog
import Foundation
import GRDB
import RecordStore
import TestSupport
import Testing

/// The audit chain against an attacker who has the database file and the sqlite3 shell.
struct AuditChainTests {
    static func store(entries: Int = 20) throws -> TemporaryStore {
        let t = try TemporaryStore.make()
        for batch in stride(from: 0, to: entries, by: 5) {
            try t.store.audit.append((batch..<min(batch + 5, entries)).map {
                AuditEvent(actor: "agent-\($0 % 3)", action: $0 % 2 == 0 ? .recordRead : .inference,
                           objectType: "ticket", objectID: "t\($0)", details: ["n": .int($0)])
            })
        }
        return t
    }

    /// Runs SQL through the sqlite3 command-line shell, dropping the protective triggers first.
    static func tamper(_ t: TemporaryStore, _ sql: String) throws {
        #expect(try SQLiteShell.run(t.location.database, SQLiteShell.dropAuditTriggers + sql) == 0, "sqlite3 failed")
    }

    /// What `audit verify` finds (it opens a broken store to report on it).
    static func verify(_ t: TemporaryStore, witnessFiles: [URL] = [], environment: [String: String] = [:]) throws
        -> AuditVerification {
        try TemporaryStore.open(t.location, environment: environment, access: .inspect).audit.verify(witnessFiles: witnessFiles)
    }

    /// An ordinary command refuses to open the store, so nothing is appended to the broken chain.
    static func expectRefusedAtOpen(_ t: TemporaryStore, _ expected: AuditVerification.Problem,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) { try TemporaryStore.open(t.location) } throws: { error in
            (error as? AuditError) == .chainBroken(expected)
        }
    }

    /// Removes the file's lines after the first `keep` (what an attacker does to hide the tail).
    static func keepLines(_ url: URL, _ keep: Int) throws {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").prefix(keep)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func intactChainVerifies() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        let result = try t.store.audit.verify()
        #expect(result.isIntact && result.entries == 20 && result.headSeq == 20 && result.checkpointSeq == 20)
        #expect(try t.store.audit.entries(matching: .init(actor: "agent-1")).count == 7)
        #expect(try t.store.audit.entries(matching: .init(action: .inference)).count == 10)
    }

    @Test func triggersRefuseUpdatesAndDeletes() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        for sql in ["UPDATE audit_log SET actor = 'x' WHERE seq = 3", "DELETE FROM audit_log WHERE seq = 3"] {
            #expect { try t.store.database.write { try $0.execute(sql: sql) } } throws: { "\($0)".contains("append-only") }
        }
    }

    @Test func editedEntryIsFound() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        try Self.tamper(t, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 7;")
        #expect(try Self.verify(t).firstProblem == .edited(seq: 7))
    }

    @Test func deletedEntryIsFound() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        try Self.tamper(t, "DELETE FROM audit_log WHERE seq = 9;")
        #expect(try Self.verify(t).firstProblem == .missing(after: 8, next: 10))
    }

    @Test func reorderedEntriesAreFound() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        try Self.tamper(t, "UPDATE audit_log SET seq = 100000 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 100000;")
        let problem = try Self.verify(t).firstProblem
        #expect(problem == .edited(seq: 4))
    }

    @Test func forgedInsertionIsFound() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        // Shift the tail up by one and splice a forged entry in, reusing a real entry's hashes.
        try Self.tamper(t, """
            UPDATE audit_log SET seq = seq + 1000 WHERE seq > 10; UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000;
            INSERT INTO audit_log SELECT 11, time, 'intruder', action, object_type, object_id, outcome, details, prev_hash, hash FROM audit_log WHERE seq = 10;
            """)
        #expect(try Self.verify(t).firstProblem == .edited(seq: 11))
    }

    @Test func truncationIsFoundThroughTheCheckpoint() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        try Self.tamper(t, "DELETE FROM audit_log WHERE seq > 15;")
        #expect(try Self.verify(t).firstProblem == .truncated(lastSeq: 15, checkpointSeq: 20))
        Self.expectRefusedAtOpen(t, .truncated(lastSeq: 15, checkpointSeq: 20))
    }

    /// The attack of issue 16, without the key: drop the triggers, delete the newest entries
    /// and the matching last checkpoint lines. The chain and the checkpoints are consistent,
    /// so the witness outside the store's folder is what finds it.
    @Test func cuttingTheTailAndItsCheckpointLinesIsFoundByTheWitness() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        try Self.tamper(t, "DELETE FROM audit_log WHERE seq > 15;")
        try Self.keepLines(t.location.checkpointFile, 3)
        let expected = AuditVerification.Problem.witnessAhead(witness: t.witnessFile.path, lastSeq: 15, witnessSeq: 20)
        #expect(try Self.verify(t).firstProblem == expected)
        #expect(expected.description.contains("entries 16...20 are missing"))
        Self.expectRefusedAtOpen(t, expected)
        // Cutting the witness file too is found as long as its folder is out of reach...
        try FileManager.default.removeItem(at: t.witnessFile)
        #expect(try Self.verify(t).firstProblem == .witnessMissing(witness: t.witnessFile.path))
        Self.expectRefusedAtOpen(t, .witnessMissing(witness: t.witnessFile.path))
    }

    /// Checkpoint lines commit to the line before: one removed from the middle breaks the chain.
    @Test func checkpointLinesAreChained() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        var lines = try String(contentsOf: t.location.checkpointFile, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4 && lines.allSatisfy { $0.hasPrefix("v2 ") })
        lines.remove(at: 1)
        try (lines.joined(separator: "\n") + "\n").write(to: t.location.checkpointFile, atomically: true, encoding: .utf8)
        #expect(try Self.verify(t).firstProblem == .checkpointLinesInvalid(lines: [2]))
    }

    /// An attacker with the key file rewrites the log, the checkpoints and the default witness
    /// consistently; a witness they cannot reach (here a file "on another volume") still finds it.
    @Test func aConfiguredWitnessOutOfReachFindsWhatTheKeyHolderHid() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        let remote = try Fixtures.temporaryDirectory().appendingPathComponent("remote.witness")
        defer { try? FileManager.default.removeItem(at: remote.deletingLastPathComponent()) }
        let environment = ["TEST_WITNESS": "file:\(remote.path)"]
        let store = try TemporaryStore.open(t.location, environment: environment)
        for batch in 0..<4 {
            try store.audit.append((0..<5).map { AuditEvent(actor: "a", action: .inference, objectType: "t", objectID: "\(batch)-\($0)") })
        }
        try Self.tamper(t, "DELETE FROM audit_log WHERE seq > 10;")
        try Self.keepLines(t.location.checkpointFile, 2)
        try Self.keepLines(t.witnessFile, 2)
        #expect(try Self.verify(t).isIntact)  // every local trace agrees
        #expect(try Self.verify(t, witnessFiles: [remote]).firstProblem
                == .witnessAhead(witness: remote.path, lastSeq: 10, witnessSeq: 20))
        // A witness line without the key's MAC is itself a finding.
        try "suite-witness/1 test \(t.store.identity) 30 \(String(repeating: "ab", count: 32)) \(String(repeating: "cd", count: 32))\n"
            .write(to: remote, atomically: true, encoding: .utf8)
        #expect(try Self.verify(t, witnessFiles: [remote]).firstProblem == .witnessLinesInvalid(witness: remote.path, count: 1))
        #expect { try TemporaryStore.open(t.location, environment: ["TEST_WITNESS": "ftp://x"]) } throws: { error in
            if case .invalidWitness? = error as? AuditError { return true } else { return false }
        }
    }

    @Test func removedOrEditedCheckpointFileIsFound() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        let original = try Data(contentsOf: t.location.checkpointFile)
        var edited = String(decoding: original, as: UTF8.self)
        edited = edited.replacingOccurrences(of: "\nv2 20 ", with: "\nv2 21 ")
        try edited.write(to: t.location.checkpointFile, atomically: true, encoding: .utf8)
        if case .checkpointLinesInvalid? = try Self.verify(t).firstProblem {} else { Issue.record("edited checkpoint not found") }
        Self.expectRefusedAtOpen(t, .checkpointLinesInvalid(lines: []))
        try FileManager.default.removeItem(at: t.location.checkpointFile)
        #expect(try Self.verify(t).firstProblem == .checkpointMissing)
        // The next ordinary command does not recreate the file: it refuses to open.
        Self.expectRefusedAtOpen(t, .checkpointMissing)
        #expect(!FileManager.default.fileExists(atPath: t.location.checkpointFile.path))
        #expect(try Self.verify(t).firstProblem == .checkpointMissing)
    }

    /// A store emptied to 0 bytes, deleted, or replaced by another: never an empty, intact store.
    @Test func anEmptiedDeletedOrReplacedStoreSaysItsHistoryIsGone() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        let id = t.store.identity
        let database = t.location.database.path
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        #expect(truncate(database, 0) == 0)
        try FileManager.default.removeItem(at: t.location.checkpointFile)
        for access in [SecureStore.Access.ordinary, .inspect] {
            #expect { try TemporaryStore.open(t.location, access: access) } throws: { error in
                (error as? StoreIdentityError) == .emptyFile(path: database) }
        }
        #expect(try Data(contentsOf: t.location.database).isEmpty, "the 0-byte store was recreated")
        try FileManager.default.removeItem(atPath: database)
        #expect { try TemporaryStore.open(t.location, access: .inspect) } throws: { error in
            (error as? StoreIdentityError) == .historyGone(path: database, storeID: id, keySource: t.location.keyFile.path) }
        #expect(!FileManager.default.fileExists(atPath: database), "a new store was created")
        // Another store's database put in its place.
        let other = try TemporaryStore.make()
        defer { other.cleanUp() }
        try other.store.database.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try FileManager.default.copyItem(atPath: other.location.database.path, toPath: database)
        #expect { try TemporaryStore.open(t.location, access: .inspect) } throws: { error in
            if case .replaced(_, other.store.identity, id, _)? = error as? StoreIdentityError { return true } else { return false } }
    }

    @Test func appendsWithoutTheKeyCannotExtendTheChain() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        // An attacker appends a plausible entry with a made-up MAC.
        try Self.tamper(t, "INSERT INTO audit_log SELECT 21, time, actor, action, object_type, object_id, outcome, details, hash, randomblob(32) FROM audit_log WHERE seq = 20;")
        #expect(try Self.verify(t).firstProblem == .edited(seq: 21))
        Self.expectRefusedAtOpen(t, .edited(seq: 21))
    }
}

/// Several processes appending to one store keep one linear chain.
@Suite(.serialized)
struct ConcurrentAppendTests {
    @Test func twoProcessesAppendTenThousandEntriesEach() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        let arguments = ["audit-append", t.home.path, "10000", "50"]
        let processes = try (0..<2).map { index -> Process in
            let p = Process()
            p.executableURL = CommandRunner.productsDirectory.appendingPathComponent("store-tool")
            p.arguments = arguments + ["writer-\(index)"]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in processes { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        let result = try TemporaryStore.open(t.location).audit.verify()
        #expect(result.isIntact, "\(String(describing: result.firstProblem))")
        #expect(result.entries == 20_000 && result.headSeq == 20_000 && result.checkpointSeq == 20_000)
        let audit = try TemporaryStore.open(t.location).audit
        #expect(try audit.entries(matching: .init(actor: "writer-0")).count == 10_000)
    }
}
