import Foundation
import TestSupport
import Testing

/// The key-less attacks of issue 16 on a fresh store of either product, run as a user would:
/// each is found by `audit verify`, and no ordinary command writes onto what is left.
@Suite(.serialized)
struct AuditAttackCLITests {
    static func run(_ tool: String, _ arguments: [String], home: URL, environment: [String: String] = [:]) throws
        -> CommandRunner.Result {
        try CommandRunner.run(tool, arguments + ["--home", home.path], environment: environment)
    }

    /// A store with a few audited exports; returns its home.
    static func store(_ tool: String) throws -> URL {
        let home = try Fixtures.temporaryDirectory().appendingPathComponent("home")
        #expect(try run(tool, ["keys", "init"], home: home).status == 0)
        for index in 0..<3 {
            let out = home.deletingLastPathComponent().appendingPathComponent("export\(index).jsonl")
            #expect(try run(tool, ["records", "export", "--out", out.path], home: home).status == 0)
        }
        return home
    }

    static func sqlite(_ home: URL, _ sql: String) throws {
        #expect(try SQLiteShell.run(home.appendingPathComponent("store.sqlite"), SQLiteShell.dropAuditTriggers + sql) == 0)
    }

    static func dropLastLines(_ url: URL, _ count: Int) throws {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast(count).joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// Drop the triggers, delete the newest entries (the `record.export` of a decrypted export)
    /// and the matching checkpoint lines: found through the witness; exports then refuse to run.
    @Test(arguments: ["assistant", "triage"])
    func cuttingTheTailIsFoundAndNothingWritesOntoIt(tool: String) throws {
        let home = try Self.store(tool)
        defer { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        try Self.sqlite(home, "DELETE FROM audit_log WHERE action = 'record.export' AND seq >= (SELECT max(seq) FROM audit_log);")
        try Self.dropLastLines(home.appendingPathComponent("audit.checkpoints"), 1)
        let verify = try Self.run(tool, ["audit", "verify"], home: home)
        #expect(verify.status == 1 && verify.stdout.contains("BROKEN") && verify.stdout.contains("witness")
                && verify.stdout.contains("are missing"), "\(verify.stdout)")
        let out = home.deletingLastPathComponent().appendingPathComponent("after.jsonl")
        let export = try Self.run(tool, ["records", "export", "--out", out.path], home: home)
        #expect(export.status == 1 && export.stderr.contains("audit trail is broken") && export.stderr.contains("Nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let show = try Self.run(tool, ["audit", "show"], home: home)
        #expect(show.status == 1 && show.stderr.contains("audit trail is broken"))
    }

    /// A deleted checkpoint file is reported, and is not recreated by the next command.
    @Test func aDeletedCheckpointFileStaysFound() throws {
        let home = try Self.store("triage")
        defer { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        let checkpoints = home.appendingPathComponent("audit.checkpoints")
        try FileManager.default.removeItem(at: checkpoints)
        for _ in 0..<2 {
            #expect(try Self.run("triage", ["audit", "verify"], home: home).stdout.contains("BROKEN: the checkpoint file is missing"))
            let out = home.deletingLastPathComponent().appendingPathComponent("again.jsonl")
            #expect(try Self.run("triage", ["records", "export", "--out", out.path], home: home).status == 1)
            #expect(!FileManager.default.fileExists(atPath: checkpoints.path))
        }
    }

    /// A store truncated to 0 bytes (checkpoint file deleted too), or deleted: the history is
    /// gone, never `intact: 0 entries`, and no empty store is created in its place.
    @Test func anEmptiedOrDeletedStoreIsNeverANewEmptyOne() throws {
        let home = try Self.store("assistant")
        defer { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        let database = home.appendingPathComponent("store.sqlite")
        #expect(truncate(database.path, 0) == 0)
        try FileManager.default.removeItem(at: home.appendingPathComponent("audit.checkpoints"))
        let emptied = try Self.run("assistant", ["audit", "verify"], home: home)
        #expect(emptied.status == 1 && emptied.stderr.contains("is empty (0 bytes)") && !emptied.stdout.contains("intact"))
        let export = try Self.run("assistant", ["records", "export", "--out", home.appendingPathComponent("x.jsonl").path], home: home)
        #expect(export.status == 1 && export.stderr.contains("history is gone"))
        #expect(try Data(contentsOf: database).isEmpty)
        try FileManager.default.removeItem(at: database)
        let deleted = try Self.run("assistant", ["audit", "verify"], home: home)
        #expect(deleted.status == 1 && deleted.stderr.contains("holds no record of store"), "\(deleted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database.path))
    }

    /// `keys init` on a store whose key file is missing refuses before writing a key.
    @Test func keysInitDoesNotMakeAKeyThatCannotOpenTheStore() throws {
        let home = try Self.store("triage")
        defer { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        let keyFile = home.appendingPathComponent("keyring.json")
        try FileManager.default.moveItem(at: keyFile, to: home.deletingLastPathComponent().appendingPathComponent("moved.json"))
        let again = try Self.run("triage", ["keys", "init"], home: home)
        #expect(again.status == 1 && again.stderr.contains("exists but its key file") && !again.stdout.contains("keep a copy"))
        #expect(!FileManager.default.fileExists(atPath: keyFile.path))
    }

    /// A syslog witness (RFC 5424 over UDP to a listener on 127.0.0.1) receives every
    /// checkpoint; `audit verify --witness` on what it received finds a cut tail.
    @Test func aSyslogWitnessReceivesRFC5424CheckpointsAndFindsACutTail() throws {
        let listener = try UDPListener()
        let home = try Fixtures.temporaryDirectory().appendingPathComponent("home")
        defer { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        let environment = ["TRIAGE_WITNESS": "syslog://127.0.0.1:\(listener.port)"]
        #expect(try Self.run("triage", ["keys", "init"], home: home, environment: environment).status == 0)
        for index in 0..<2 {
            let out = home.deletingLastPathComponent().appendingPathComponent("e\(index).jsonl")
            #expect(try Self.run("triage", ["records", "export", "--out", out.path], home: home, environment: environment).status == 0)
        }
        // One message per checkpoint line; the last export is the last batch, entry `head`.
        let checkpoints = try String(contentsOf: home.appendingPathComponent("audit.checkpoints"), encoding: .utf8).split(separator: "\n")
        let head = try #require(Int(checkpoints.last?.split(separator: " ")[1] ?? ""))
        let messages = listener.receive(count: checkpoints.count, timeout: 5)
        #expect(messages.count == checkpoints.count)
        for message in messages {
            #expect(message.hasPrefix("<110>1 ") && message.contains(" triage ") && message.contains(" checkpoint [suite-witness@32473 store=\"")
                    && message.contains("] suite-witness/1 triage "), "\(message)")
        }
        let received = home.deletingLastPathComponent().appendingPathComponent("syslog.log")
        try (messages.joined(separator: "\n") + "\n").write(to: received, atomically: true, encoding: .utf8)
        let intact = try Self.run("triage", ["audit", "verify", "--witness", received.path], home: home)
        #expect(intact.status == 0 && intact.stdout.contains("witness \(head)"), "\(intact.stdout)")
        // An attacker with every local file (key included) rewinds them all to before the last
        // export: its batch and the verification's after it.
        try Self.sqlite(home, "DELETE FROM audit_log WHERE seq >= \(head);")
        try Self.dropLastLines(home.appendingPathComponent("audit.checkpoints"), 2)
        let keyFile = try JSONSerialization.jsonObject(with: Data(contentsOf: home.appendingPathComponent("keyring.json"))) as? [String: Any]
        let store = try #require(keyFile?["store"] as? String)
        try Self.dropLastLines(Fixtures.witnessState.appendingPathComponent("suite-audit-witness/triage-\(store).witness"), 2)
        let broken = try Self.run("triage", ["audit", "verify", "--witness", received.path], home: home)
        #expect(broken.status == 1 && broken.stdout.contains("entries \(head)...\(head) are missing"), "\(broken.stdout)")
        #expect(try Self.run("triage", ["audit", "verify"], home: home).status == 0)  // every local trace agrees
    }

    /// An HTTP witness gets each checkpoint line POSTed as text/plain.
    @Test func anHTTPWitnessReceivesEachCheckpointLine() throws {
        let collector = try HTTPCollector()
        let home = try Fixtures.temporaryDirectory().appendingPathComponent("home")
        defer { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        let environment = ["ASSISTANT_WITNESS": "http://127.0.0.1:\(collector.port)/witness"]
        let thread = Thread { collector.serve(requests: 8) }
        thread.start()
        #expect(try Self.run("assistant", ["keys", "init"], home: home, environment: environment).status == 0)
        let out = home.deletingLastPathComponent().appendingPathComponent("e.jsonl")
        #expect(try Self.run("assistant", ["records", "export", "--out", out.path], home: home, environment: environment).status == 0)
        // One POST per checkpoint line, carrying that line's entry.
        let checkpoints = try String(contentsOf: home.appendingPathComponent("audit.checkpoints"), encoding: .utf8).split(separator: "\n")
        let head = try #require(checkpoints.last?.split(separator: " ")[1])
        let bodies = collector.bodies(waitingFor: checkpoints.count, timeout: 5)
        #expect(bodies.count == checkpoints.count && bodies.allSatisfy { $0.hasPrefix("suite-witness/1 assistant ") })
        #expect(collector.requestLines.allSatisfy { $0.hasPrefix("POST /witness HTTP/1.1") })
        let received = home.deletingLastPathComponent().appendingPathComponent("collected.log")
        try bodies.joined().write(to: received, atomically: true, encoding: .utf8)
        let verify = try Self.run("assistant", ["audit", "verify", "--witness", received.path], home: home)
        #expect(verify.status == 0 && verify.stdout.contains("witness \(head)"), "\(verify.stdout)")
        // A witness that cannot be reached is a warning, not a lost record.
        let unreachable = ["ASSISTANT_WITNESS": "http://127.0.0.1:9/witness"]
        let export = try Self.run("assistant", ["records", "export", "--force", "--out", out.path], home: home, environment: unreachable)
        #expect(export.status == 0 && export.stderr.contains("audit: warning: witness http://127.0.0.1:9/witness not written"))
    }

    /// `audit verify` on a full disk (a tmpfs filled up) never prints "intact" and then fails:
    /// the check is recorded before it is reported.
    @Test(.enabled(if: TemporaryMount.isAllowed, "mounting a tmpfs is not allowed here (needs root and CAP_SYS_ADMIN)"))
    func auditVerifyOnAFullDiskNeverSaysIntact() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mount = try TemporaryMount(at: dir.appendingPathComponent("home"))
        defer { mount.remove() }
        let home = mount.path
        #expect(try Self.run("triage", ["keys", "init"], home: home).status == 0)
        #expect(try Self.run("triage", ["records", "export", "--out", dir.appendingPathComponent("e.jsonl").path], home: home).status == 0)
        // Room to open the store (its shared-memory file) but not to commit the `audit.use` entry
        // (measured on this tmpfs: 44–48 KiB free gives exactly that; less fails at open, which
        // also says "disk is full" and prints no verdict).
        try mount.resize(bytes: try mount.used() + 46 << 10)
        let full = try Self.run("triage", ["audit", "verify"], home: home)
        #expect(full.status == 1 && !full.stdout.contains("intact"), "\(full.stdout)")
        #expect(full.stderr.contains("checked out, but this verification could not be recorded") || full.stderr.contains("disk is full"),
                "\(full.stderr)")
        try mount.resize(bytes: 64 << 20)
        let roomy = try Self.run("triage", ["audit", "verify"], home: home)
        #expect(roomy.status == 0 && roomy.stdout.hasPrefix("intact"), "\(roomy.stderr)")
    }
}
