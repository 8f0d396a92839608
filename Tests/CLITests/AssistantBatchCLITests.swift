import Foundation
import GRDB
import TestSupport
import Testing

/// `assistant batch` as a user runs it: killed with SIGKILL at several points, or stopped with
/// Ctrl-C (SIGINT, which also says how to continue and exits 130), in the middle of an archive,
/// then `--resume`d into the same output: the lines written before the kill kept as they were,
/// then one line per remaining row, rows 1…n in order, none twice, and the exit status 3 for the
/// rows that failed. In the store: one ticket and one answer per answered row, none without the
/// other, each with exactly one `record.create` and an `inference` entry; the audit chain intact.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct AssistantBatchCLITests {
    static let model = Fixtures.miniLM.path
    static let kb = Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path
    static let questions = ["my card never arrived", "how do I freeze my card", "why was my payment declined",
                            "I want to close my account", "what is the weather on Mars"]

    /// A store home with keys and the demo knowledge index (`<dir>/kb.sqlite`, outside the home).
    static func prepare(home: String, dir: URL) throws -> [String] {
        let kbDB = ["--kb-db", dir.appendingPathComponent("kb.sqlite").path]
        #expect(try CommandRunner.run("assistant", ["keys", "init", "--home", home]).status == 0)
        let index = try CommandRunner.run("assistant", ["index", "--home", home, "--kb", Self.kb, "--model", Self.model] + kbDB)
        #expect(index.status == 0, "\(index.stderr)")
        return kbDB
    }

    /// Starts `assistant` with `arguments` (through `/bin/sh -c prefix` when given) and sends
    /// `signal` once it reports row `row` written; returns what it printed on stderr.
    static func interrupt(_ arguments: [String], atRow row: Int, with signal: Int32, shell prefix: String? = nil) throws
        -> (Process, String) {
        let process = Process(), errors = Pipe()
        let executable = CommandRunner.productsDirectory.appendingPathComponent("assistant").path
        if let prefix {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", prefix + "; exec \"$0\" \"$@\"", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "ASSISTANT_MODEL_DIR" }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        var seen = ""
        while !seen.contains("progress: rows \(row):") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // it ended without reporting the row
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(seen.contains("progress: rows \(row):"), "no progress line for row \(row): \(seen.suffix(300))")
        if signal == SIGINT { seen += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        return (process, seen)
    }

    @Test(arguments: zip([SIGKILL, SIGKILL, SIGKILL, SIGINT], [1, 10, 150, 10]))
    func batchKilledMidwayResumesWithoutDuplicatesOrGaps(signal: Int32, row killRow: Int) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home").path
        let kbDB = try Self.prepare(home: home, dir: dir)

        // 300 rows; every 25th is malformed and must come out as an error line.
        let count = 300
        let rows = (1...count).map { i in
            i % 25 == 0 ? "{\"text\": " : "{\"text\": \"\(Self.questions[i % Self.questions.count]) (ticket \(i))\"}"
        }
        let input = dir.appendingPathComponent("tickets.jsonl"), output = dir.appendingPathComponent("answers.jsonl")
        try (rows.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let arguments = ["batch", "--input", input.path, "--output", output.path, "--home", home, "--model", Self.model,
                         "--threads", "1"] + kbDB

        // Interrupt it as soon as it reports the row written (a progress line per row), however
        // fast or slow the machine is.
        let (process, seen) = try Self.interrupt(arguments + ["--progress-lines"], atRow: killRow, with: signal)
        if signal == SIGINT {
            #expect(process.terminationReason == .exit && process.terminationStatus == 130, "the batch ended before Ctrl-C")
            #expect(seen.contains("assistant: interrupted;") && seen.contains("--resume"), "\(seen.suffix(300))")
        } else {
            #expect(process.terminationReason == .uncaughtSignal, "the batch ended before it was killed")
        }
        // What survived the kill: the complete lines (a torn last one is redone by --resume).
        let written = try Data(contentsOf: output)
        let kept = written.lastIndex(of: UInt8(ascii: "\n")).map { Data(written.prefix(through: $0)) } ?? Data()
        let before = Self.lineCount(output)
        #expect(before >= killRow && before < count, "killed after \(before) lines")
        try Self.expectConsistentStore(home: home)

        let resumed = try CommandRunner.run("assistant", arguments + ["--resume"])
        #expect(resumed.status == 3, "\(resumed.stderr)")  // the malformed rows failed
        #expect(resumed.stdout.contains("\(count) rows (\(before) already done, 0 retried)"), "\(resumed.stdout)")
        #expect(resumed.stderr.contains(".jsonl:275: row has no usable text: invalid JSON"), "\(resumed.stderr.suffix(300))")
        let final = try Data(contentsOf: output)
        #expect(final.prefix(kept.count) == kept, "the lines written before the kill were rewritten")
        let objects = try Self.lines(output)
        #expect(objects.map { $0["row"] as? Int } == Array(1...count))
        #expect(objects.filter { $0["error"] != nil }.count == count / 25)
        #expect(objects.allSatisfy { $0["retry"] == nil })
        let ticketIDs = objects.compactMap { $0["ticket_id"] as? String }
        #expect(ticketIDs.count == count - count / 25)
        #expect(try Self.expectConsistentStore(home: home) == Set(ticketIDs))
        #expect(try CommandRunner.run("assistant", ["audit", "verify", "--home", home]).status == 0)
    }

    /// The store's disk fills up (a small tmpfs) part-way: the rows that could not be stored
    /// become `"retry": true` error lines, named on stderr, exit 3, with nothing half-stored. A
    /// `--resume` killed while it rewrites the output leaves the old output whole; the next one,
    /// with space again, runs exactly those rows again and ends with every row answered.
    @Test(.enabled(if: TemporaryMount.isAllowed, "mounting a tmpfs is not allowed here (needs root and CAP_SYS_ADMIN)"))
    func resumeRetriesRowsThatHitAFullDisk() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mount = try TemporaryMount(at: dir.appendingPathComponent("home"))
        defer { mount.remove() }
        let home = mount.path.path
        let kbDB = try Self.prepare(home: home, dir: dir)
        try mount.resize(bytes: try mount.used() + 160 << 10)
        try Self.failAndRetry(home: home, dir: dir, kbDB: kbDB, failure: "SQLite error 13", limit: nil,
                              restore: { try mount.resize(bytes: 64 << 20) })
    }

    /// The same with a file-size limit (`ulimit -f`), which needs no privilege: SQLite's writes
    /// past it fail with EFBIG (`SQLITE_IOERR`).
    @Test func resumeRetriesRowsThatHitAFileSizeLimit() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home").path
        let kbDB = try Self.prepare(home: home, dir: dir)
        try Self.failAndRetry(home: home, dir: dir, kbDB: kbDB, failure: "SQLite error 10", limit: "trap '' XFSZ; ulimit -f 640",
                              restore: {})
    }

    /// Runs 40 rows that fail part-way (`limit`: a shell prefix, or the caller's full disk),
    /// checks the failed run, a resume killed during its rewrite, then a resume after `restore`.
    static func failAndRetry(home: String, dir: URL, kbDB: [String], failure: String, limit: String?,
                             restore: () throws -> Void) throws {
        let count = 40
        let markers = (1...count).map { "CliMarker\($0) Zebulon" }
        let rows = (1...count).map { i in
            "{\"text\": \"\(Self.questions[i % Self.questions.count]), \(markers[i - 1]) writes from zeb\(i)@marker.example\"}"
        }
        let input = dir.appendingPathComponent("tickets.jsonl"), output = dir.appendingPathComponent("answers.jsonl")
        try (rows.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let arguments = ["batch", "--input", input.path, "--output", output.path, "--home", home, "--model", Self.model,
                         "--threads", "1"] + kbDB
        let executable = CommandRunner.productsDirectory.appendingPathComponent("assistant").path

        let failed = try limit.map { try CommandRunner.run("/bin/sh", ["-c", $0 + "; exec \"$0\" \"$@\"", executable] + arguments) }
            ?? CommandRunner.run("assistant", arguments)
        #expect(failed.status == 3, "\(failed.stderr.suffix(500))")
        let first = try Self.lines(output)
        #expect(first.map { $0["row"] as? Int } == Array(1...count))
        let retried = first.filter { $0["retry"] as? Bool == true }.compactMap { $0["row"] as? Int }
        #expect(!retried.isEmpty && retried.count < count, "\(retried.count) rows to retry")
        #expect(first.filter { $0["error"] != nil }.count == retried.count)
        // The store's write fails; or, once in a while, only the audit checkpoint file after a commit.
        let errors = first.compactMap { $0["error"] as? String }
        #expect(errors.contains { $0.contains(failure) } && errors.allSatisfy { $0.contains(failure) || $0.contains("audit checkpoint") },
                "\(errors)")
        #expect(failed.stderr.contains(".jsonl:\(retried[0]): ") && failed.stderr.contains("--resume runs it again"),
                "\(failed.stderr.suffix(500))")
        #expect(failed.stdout.contains("\(retried.count) failed, of which \(retried.count) can be retried with --resume"),
                "\(failed.stdout)")
        try Self.expectConsistentStore(home: home)

        try restore()
        // Killed while it rewrites the lines written so far: the output is the old one, whole.
        let original = try Data(contentsOf: output)
        let (process, _) = try Self.interrupt(arguments + ["--resume", "--progress-lines"], atRow: retried[0], with: SIGKILL)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try Data(contentsOf: output) == original, "the output changed before the rewrite was complete")

        let resumed = try CommandRunner.run("assistant", arguments + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr.suffix(500))")
        #expect(resumed.stdout.contains("\(count) rows (\(count - retried.count) already done, \(retried.count) retried)"),
                "\(resumed.stdout)")
        let final = try Self.lines(output)
        #expect(final.map { $0["row"] as? Int } == Array(1...count))
        #expect(final.allSatisfy { $0["error"] == nil && $0["ticket_id"] != nil })
        let originalLines = original.split(separator: UInt8(ascii: "\n"))
        let finalLines = try Data(contentsOf: output).split(separator: UInt8(ascii: "\n"))
        for row in 1...count where !retried.contains(row) {
            #expect(finalLines[row - 1] == originalLines[row - 1], "row \(row) was rewritten")
        }
        #expect(try Self.expectConsistentStore(home: home).count == count)
        #expect(try CommandRunner.run("assistant", ["audit", "verify", "--home", home]).status == 0)

        // No ticket text or e-mail in clear: not in the store, its WAL, the batch output or a
        // de-identified export (a decrypted export has them).
        let deidentified = dir.appendingPathComponent("export.jsonl"), decrypted = dir.appendingPathComponent("decrypted.jsonl")
        #expect(try CommandRunner.run("assistant", ["records", "export", "--home", home, "--out", deidentified.path, "--deidentify"]).status == 0)
        #expect(try CommandRunner.run("assistant", ["records", "export", "--home", home, "--out", decrypted.path]).status == 0)
        let files = [home + "/store.sqlite", home + "/store.sqlite-wal", output.path, deidentified.path]
            .filter { FileManager.default.fileExists(atPath: $0) }
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            for needle in ["Zebulon", "marker.example"] { #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) in \(file)") }
        }
        #expect(try Data(contentsOf: decrypted).range(of: Data(markers[count - 1].utf8)) != nil)
    }

    /// The store after a batch: every ticket has exactly one answer (and a decided status), one
    /// `record.create` and at least one `inference` entry; no entry names a ticket that is not
    /// stored. Returns the ticket ids.
    @discardableResult
    static func expectConsistentStore(home: String) throws -> Set<String> {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: home + "/store.sqlite", configuration: configuration)
        return try queue.read { db in
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? -1 }
            #expect(try count("SELECT COUNT(*) FROM tickets t WHERE (SELECT COUNT(*) FROM answers a WHERE a.ticket_id = t.id) <> 1") == 0,
                    "tickets without exactly one answer")
            #expect(try count("SELECT COUNT(*) FROM answers WHERE ticket_id NOT IN (SELECT id FROM tickets)") == 0)
            #expect(try count("SELECT COUNT(*) FROM tickets WHERE status = 'open' OR integrity IS NULL") == 0)
            #expect(try count("""
                SELECT COUNT(*) FROM tickets t WHERE (SELECT COUNT(*) FROM audit_log l
                    WHERE l.action = 'record.create' AND l.object_type = 'ticket' AND l.object_id = t.id) <> 1
                """) == 0, "tickets without exactly one record.create")
            #expect(try count("""
                SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM audit_log l
                    WHERE l.action = 'inference' AND l.object_type = 'ticket' AND l.object_id = t.id)
                """) == 0, "answers without an inference entry")
            #expect(try count("""
                SELECT COUNT(*) FROM audit_log WHERE object_type = 'ticket' AND action IN ('record.create', 'inference')
                    AND object_id NOT IN (SELECT id FROM tickets)
                """) == 0, "audit entries of tickets that are not stored")
            return Set(try String.fetchAll(db, sql: "SELECT id FROM tickets"))
        }
    }

    /// The output's lines as JSON objects.
    static func lines(_ url: URL) throws -> [[String: Any]] {
        try String(decoding: Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Complete lines in `url` so far (0 when it does not exist yet).
    static func lineCount(_ url: URL) -> Int {
        guard let data = try? Data(contentsOf: url) else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}

/// A small tmpfs mounted for one test (root with CAP_SYS_ADMIN only), to fill a disk for real.
struct TemporaryMount {
    let path: URL

    /// Whether this process may mount a tmpfs (tried once, on a scratch folder).
    static let isAllowed: Bool = {
        guard getuid() == 0, let dir = try? Fixtures.temporaryDirectory() else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        guard let mount = try? TemporaryMount(at: dir.appendingPathComponent("probe")) else { return false }
        mount.remove()
        return true
    }()

    init(at path: URL) throws {
        self.path = path
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        try Self.mount(["-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", path.path])
    }

    /// Changes the size limit (rounded up to whole pages by the kernel).
    func resize(bytes: Int) throws {
        try Self.mount(["-o", "remount,size=\(bytes)", path.path])
    }

    /// Bytes in use.
    func used() throws -> Int {
        let stats = try FileManager.default.attributesOfFileSystem(forPath: path.path)
        let size = (stats[.systemSize] as? NSNumber)?.intValue ?? 0, free = (stats[.systemFreeSize] as? NSNumber)?.intValue ?? 0
        return size - free
    }

    func remove() {
        _ = try? Self.run("/bin/umount", [path.path])
    }

    private static func mount(_ arguments: [String]) throws {
        let status = try run("/bin/mount", arguments)
        guard status == 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: arguments.last ?? ""]) }
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
