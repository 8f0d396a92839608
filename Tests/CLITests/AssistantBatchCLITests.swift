import Foundation
import TestSupport
import Testing

/// `assistant batch` as a user runs it: killed with SIGKILL, or stopped with Ctrl-C (SIGINT, which
/// also says how to continue and exits 130), in the middle of an archive, then
/// `--resume`d into the same output: the lines written before the kill kept as they were, then one
/// line per remaining row, rows 1…n in order, none twice, and the exit status 3 for the rows that failed.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct AssistantBatchCLITests {
    static let model = Fixtures.miniLM.path
    static let kb = Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path

    @Test(arguments: [SIGKILL, SIGINT])
    func batchKilledMidwayResumesWithoutDuplicatesOrGaps(signal: Int32) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home").path
        #expect(try CommandRunner.run("assistant", ["keys", "init", "--home", home]).status == 0)
        let index = try CommandRunner.run("assistant", ["index", "--home", home, "--kb", Self.kb, "--model", Self.model])
        #expect(index.status == 0, "\(index.stderr)")

        // 300 rows; every 25th is malformed and must come out as an error line.
        let questions = ["my card never arrived", "how do I freeze my card", "why was my payment declined",
                         "I want to close my account", "what is the weather on Mars"]
        let count = 300
        let rows = (1...count).map { i in
            i % 25 == 0 ? "{\"text\": " : "{\"text\": \"\(questions[i % questions.count]) (ticket \(i))\"}"
        }
        let input = dir.appendingPathComponent("tickets.jsonl"), output = dir.appendingPathComponent("answers.jsonl")
        try (rows.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let arguments = ["batch", "--input", input.path, "--output", output.path, "--home", home, "--model", Self.model,
                         "--threads", "1"]

        // Kill it as soon as it reports row 10 written (a progress line per row), however fast or
        // slow the machine is.
        let process = Process(), errors = Pipe()
        process.executableURL = CommandRunner.productsDirectory.appendingPathComponent("assistant")
        process.arguments = arguments + ["--progress-lines"]
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "ASSISTANT_MODEL_DIR" }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        var seen = ""
        while !seen.contains("progress: rows 10:") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // it ended without reporting row 10
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(seen.contains("progress: rows 10:"), "no progress line for row 10: \(seen.suffix(200))")
        if signal == SIGINT {
            seen += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationReason == .exit && process.terminationStatus == 130, "the batch ended before Ctrl-C")
            #expect(seen.contains("assistant: interrupted;") && seen.contains("--resume"), "\(seen.suffix(300))")
        } else {
            #expect(process.terminationReason == .uncaughtSignal, "the batch ended before it was killed")
        }
        // What survived the kill: the complete lines (a torn last one is redone by --resume).
        let written = try Data(contentsOf: output)
        let kept = written.lastIndex(of: UInt8(ascii: "\n")).map { Data(written.prefix(through: $0)) } ?? Data()
        let before = Self.lineCount(output)
        #expect(before >= 10 && before < count, "killed after \(before) lines")

        let resumed = try CommandRunner.run("assistant", arguments + ["--resume"])
        #expect(resumed.status == 3, "\(resumed.stderr)")  // the malformed rows failed
        #expect(resumed.stdout.contains("\(count) rows (\(before) already done)"), "\(resumed.stdout)")
        let final = try Data(contentsOf: output)
        #expect(final.prefix(kept.count) == kept, "the lines written before the kill were rewritten")
        let lines = try String(decoding: final, as: UTF8.self).split(separator: "\n")
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["row"] as? Int } == Array(1...count))
        #expect(objects.filter { $0["error"] != nil }.count == count / 25)
        #expect(objects.compactMap { $0["ticket_id"] as? String }.count == count - count / 25)
        #expect(try CommandRunner.run("assistant", ["audit", "verify", "--home", home]).status == 0)
    }

    /// Complete lines in `url` so far (0 when it does not exist yet).
    static func lineCount(_ url: URL) -> Int {
        guard let data = try? Data(contentsOf: url) else { return 0 }
        return data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
