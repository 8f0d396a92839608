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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [t.location.database.path,
                             "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sqlite3 failed")
    }

    static func verify(_ t: TemporaryStore) throws -> AuditVerification {
        try TemporaryStore.open(t.location).audit.verify()
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
    }

    @Test func removedOrEditedCheckpointFileIsFound() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        let original = try Data(contentsOf: t.location.checkpointFile)
        var edited = String(decoding: original, as: UTF8.self)
        edited = edited.replacingOccurrences(of: "\n20 ", with: "\n21 ")
        try edited.write(to: t.location.checkpointFile, atomically: true, encoding: .utf8)
        if case .checkpointLinesInvalid? = try Self.verify(t).firstProblem {} else { Issue.record("edited checkpoint not found") }
        try FileManager.default.removeItem(at: t.location.checkpointFile)
        #expect(try Self.verify(t).firstProblem == .checkpointMissing)
    }

    @Test func appendsWithoutTheKeyCannotExtendTheChain() throws {
        let t = try Self.store()
        defer { t.cleanUp() }
        // An attacker appends a plausible entry with a made-up MAC.
        try Self.tamper(t, "INSERT INTO audit_log SELECT 21, time, actor, action, object_type, object_id, outcome, details, hash, randomblob(32) FROM audit_log WHERE seq = 20;")
        #expect(try Self.verify(t).firstProblem == .edited(seq: 21))
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
