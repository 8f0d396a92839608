import Foundation
import GRDB
import TestSupport
import Testing
import RecordStore
import AuditLog
import Vault

/// `keys`, `audit` and `records` of both executables, including a re-encryption killed with
/// SIGKILL and resumed.
@Suite(.serialized)
struct SecurityCLITests {
    static func run(_ tool: String, _ arguments: [String], home: URL) throws -> CommandRunner.Result {
        try CommandRunner.run(tool, arguments + ["--home", home.path])
    }

    @Test(arguments: ["assistant", "triage"])
    func keysAuditAndRecordsWorkEndToEnd(tool: String) throws {
        let home = try Fixtures.temporaryDirectory().appendingPathComponent("home")
        defer { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        let initialised = try Self.run(tool, ["keys", "init"], home: home)
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let again = try Self.run(tool, ["keys", "init"], home: home)
        #expect(again.status == 1 && again.stderr.contains("refusing to overwrite"))
        #expect(try Self.run(tool, ["keys", "rotate"], home: home).stdout.contains("added key version 2"))
        let status = try Self.run(tool, ["keys", "status", "--json"], home: home)
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["activeKEKVersion"] as? Int == 2 && object?["wrappedUnderOlderKEK"] as? Int == 0)
        let verify = try Self.run(tool, ["audit", "verify"], home: home)
        #expect(verify.status == 0 && verify.stdout.hasPrefix("intact"))
        let show = try Self.run(tool, ["audit", "show", "--action", "key.manage", "--json"], home: home)
        // init and rotate (and the assistant store's one-time integrity pass, object `integrity`).
        let entries = (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [[String: Any]])?
            .filter { $0["objectType"] as? String == "keyring" }
        #expect(entries?.count == 2 && entries?.first?["atna"] as? String == "110113")
        let out = home.appendingPathComponent("export.jsonl")
        let export = try Self.run(tool, ["records", "export", "--out", out.path, "--deidentify"], home: home)
        #expect(export.status == 0 && export.stdout.contains("exported 0 records"))
        let refused = try Self.run(tool, ["records", "export", "--out", out.path], home: home)
        #expect(refused.status == 2 && refused.stderr.contains("--force"))
        #expect(try Self.run(tool, ["audit", "show", "--since", "yesterday"], home: home).status == 2)
    }

    @Test func wrongKeyAndTamperingFailTheCommands() throws {
        let home = try Fixtures.temporaryDirectory().appendingPathComponent("home")
        defer { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        #expect(try Self.run("assistant", ["keys", "init"], home: home).status == 0)
        let otherKey = home.deletingLastPathComponent().appendingPathComponent("other.json")
        #expect(try CommandRunner.run("assistant", ["keys", "init", "--home", home.deletingLastPathComponent().appendingPathComponent("h2").path,
                                                    "--key-file", otherKey.path]).status == 0)
        let wrong = try CommandRunner.run("assistant", ["audit", "verify", "--home", home.path, "--key-file", otherKey.path])
        #expect(wrong.status == 1 && wrong.stderr.contains("belongs to store"), "\(wrong.stderr)")
        let missing = try CommandRunner.run("assistant", ["audit", "verify", "--home", home.path, "--key-file", "/nope/keys.json"])
        #expect(missing.status == 1 && missing.stderr.contains("keys init"))
        try FileManager.default.removeItem(at: home.appendingPathComponent("audit.checkpoints"))
        let broken = try Self.run("assistant", ["audit", "verify"], home: home)
        #expect(broken.status == 1 && broken.stdout.contains("BROKEN: the checkpoint file is missing"))
    }

    /// A decision changed with an SQL shell — an escalation turned into an answer — fails
    /// `records export` with exit 1, `integrity failed` and no file, and is audited.
    @Test(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
    func aTamperedAnswerFailsTheExport() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home")
        let model = ["--model", Fixtures.miniLM.path]
        #expect(try Self.run("assistant", ["keys", "init"], home: home).status == 0)
        let kb = Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path
        #expect(try Self.run("assistant", ["index", "--kb", kb] + model, home: home).status == 0)
        let asked = try Self.run("assistant", ["ask", "--json", "what is the weather on Mars"] + model, home: home)
        let ticket = try #require((try JSONSerialization.jsonObject(with: Data(asked.stdout.utf8)) as? [String: Any])?["ticketID"] as? String)
        let out = dir.appendingPathComponent("export.jsonl")
        #expect(try Self.run("assistant", ["records", "export", "--out", out.path], home: home).status == 0)

        let queue = try DatabaseQueue(path: home.appendingPathComponent("store.sqlite").path)
        try queue.write { db in
            try db.execute(sql: #"UPDATE answers SET decision = 'answer', reason = NULL, article_ids = '["x"]' WHERE ticket_id = ?"#,
                           arguments: [ticket])
        }
        let tampered = dir.appendingPathComponent("tampered.jsonl")
        let export = try Self.run("assistant", ["records", "export", "--out", tampered.path], home: home)
        #expect(export.status == 1 && export.stderr.contains("integrity failed: 1 row changed outside the suite (answers \(ticket)-answer)"),
                "\(export.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tampered.path))
        let show = try Self.run("assistant", ["audit", "show", "--action", "record.read", "--json"], home: home)
        let failures = (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [[String: Any]])?
            .filter { $0["outcome"] as? String == "failure" && ($0["details"] as? String)?.contains("\"integrity\":\"failed\"") == true }
        #expect(failures?.map { $0["objectID"] as? String } == ["\(ticket)-answer"])
        #expect(try Self.run("assistant", ["audit", "verify"], home: home).status == 0)
        // records verify names the edited answer, and finds a ticket deleted behind the audit trail.
        try queue.write { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "DELETE FROM tickets WHERE id = ?", arguments: [ticket])
        }
        let verify = try Self.run("assistant", ["records", "verify"], home: home)
        #expect(verify.status == 1 && verify.stdout.contains("missing: ticket/\(ticket)"), "\(verify.stdout)")
    }

    /// `keys rotate --reencrypt` killed with SIGKILL part-way, then run again: every value is
    /// readable, nothing is left on the old data key, and the audit chain is intact.
    @Test func reencryptionSurvivesKillAndResumes() throws {
        let t = try TemporaryStore.make()
        defer { t.cleanUp() }
        for i in 0..<3000 { try t.insert(id: "p\(i)", name: "Person \(i)", email: "p\(i)@example.org") }
        let arguments = ["reencrypt", t.home.path, "5"]
        let process = Process()
        process.executableURL = CommandRunner.productsDirectory.appendingPathComponent("store-tool")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Kill it once 100 of the 6,000 values are committed: well before the end.
        var seen = ""
        while !seen.contains("progress 100\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(seen.contains("progress 100\n") && !seen.contains("moved"), "the kill came too late: \(seen.suffix(80))")
        #expect(try TemporaryStore.open(t.location).vault.status().retiringFieldKeys > 0, "re-encryption was not interrupted")
        let resumed = try CommandRunner.run("store-tool", arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let store = try TemporaryStore.open(t.location)
        let status = try store.vault.status()
        #expect(status.retiringFieldKeys == 0)
        let reopened = TemporaryStore(home: t.home, location: t.location, store: store)
        for i in stride(from: 0, to: 3000, by: 97) { #expect(try reopened.name(of: "p\(i)") == "Person \(i)") }
        #expect(try store.audit.verify().isIntact)
    }
}
