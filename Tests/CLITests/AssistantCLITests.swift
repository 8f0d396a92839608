import Foundation
import TestSupport
import Testing

/// `assistant tokenize` and `assistant embed` as a user runs them: output format, exit codes,
/// and bad input (invalid UTF-8, empty and 1 MB lines, malformed JSONL, missing model).
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct AssistantCLITests {
    static let model = Fixtures.miniLM.path

    static func json(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func tokenizePrintsIdsTokensAndCodePointOffsets() throws {
        let r = try CommandRunner.run("assistant", ["tokenize", "--model", Self.model, "--", "-Café 😀 déjà-vu", "你好"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.count == 2)
        let first = try Self.json(r.lines[0])
        // Expected values printed by HF tokenizers 0.23.3 for the same text.
        #expect(first["tokens"] as? [String] == ["[CLS]", "-", "cafe", "[UNK]", "de", "##ja", "-", "vu", "[SEP]"])
        #expect(first["ids"] as? [Int] == [101, 1011, 7668, 100, 2139, 3900, 1011, 24728, 102])
        #expect(first["offsets"] as? [[Int]] == [[0, 0], [0, 1], [1, 5], [6, 7], [8, 10], [10, 12], [12, 13], [13, 15], [0, 0]])
        let second = try Self.json(r.lines[1])
        #expect(second["offsets"] as? [[Int]] == [[0, 0], [0, 1], [1, 2], [0, 0]])
    }

    @Test func tokenizeReadsStdinLinesIncludingEmptyAndHugeOnes() throws {
        let huge = String(repeating: "word ", count: 200_000)  // 1 MB
        let input = "first line\r\n\n" + huge + "\n"
        let r = try CommandRunner.run("assistant", ["tokenize", "--model", Self.model], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.count == 3)
        #expect(try Self.json(r.lines[1])["tokens"] as? [String] == ["[CLS]", "[SEP]"])
        #expect((try Self.json(r.lines[2])["ids"] as? [Int])?.count == 200_002)
        let truncated = try CommandRunner.run("assistant", ["tokenize", "--model", Self.model, "--max-length", "128"],
                                              stdin: Data(huge.utf8))
        #expect((try Self.json(truncated.lines[0])["ids"] as? [Int])?.count == 128)
    }

    @Test func invalidUTF8StopsWithTheLineNumberAfterWholeLines() throws {
        var input = Data("good line\n".utf8)
        input.append(contentsOf: [0x61, 0xFF, 0xFE, 0x0A])
        input.append(Data("never reached\n".utf8))
        let r = try CommandRunner.run("assistant", ["tokenize", "--model", Self.model], stdin: input)
        #expect(r.status == 1)
        #expect(r.stderr.contains("<stdin>:2: not valid UTF-8"))
        #expect(r.lines.count == 1)
    }

    @Test func embedWritesOneUnitVectorPerLineInOrder() throws {
        let texts = ["How do I reset my card PIN?", "", "My transfer has not arrived yet", "你好，世界 🌍"]
        let r = try CommandRunner.run("assistant", ["embed", "--model", Self.model, "--batch", "2", "--threads", "1"],
                                      stdin: Data((texts.joined(separator: "\n") + "\n").utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.count == texts.count)
        for (line, text) in zip(r.lines, texts) {
            let object = try Self.json(line)
            #expect(object["text"] as? String == text)
            let vector = try #require(object["embedding"] as? [Double])
            #expect(vector.count == 384)
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        }
    }

    @Test func embedReadsAJSONLFieldAndReportsBadLines() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.jsonl")
        try #"{"text": "a", "intent": "x"}\#n{"text": "b"}\#n"#.write(to: good, atomically: true, encoding: .utf8)
        let ok = try CommandRunner.run("assistant", ["embed", "--model", Self.model, "--jsonl", good.path])
        #expect(ok.status == 0 && ok.lines.count == 2, "\(ok.stderr)")

        let bad = dir.appendingPathComponent("bad.jsonl")
        try #"{"text": "a"}\#n{"text": "b"\#n"#.write(to: bad, atomically: true, encoding: .utf8)
        let broken = try CommandRunner.run("assistant", ["embed", "--model", Self.model, "--jsonl", bad.path])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("bad.jsonl:2: invalid JSON"))

        let wrongField = try CommandRunner.run("assistant", ["embed", "--model", Self.model, "--jsonl", good.path, "--field", "body"])
        #expect(wrongField.status == 1)
        #expect(wrongField.stderr.contains("good.jsonl:1: field 'body' is missing"))
    }

    @Test func missingModelAndUsageErrorsHaveTheirExitCodes() throws {
        let missing = try CommandRunner.run("assistant", ["embed", "--model", "/nonexistent/model"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/model: model folder not found"))

        let fromEnvironment = try CommandRunner.run("assistant", ["tokenize", "x"], environment: ["ASSISTANT_MODEL_DIR": "/nope"])
        #expect(fromEnvironment.status == 1 && fromEnvironment.stderr.contains("ASSISTANT_MODEL_DIR"))

        let usage = try CommandRunner.run("assistant", ["embed", "--batch", "0"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--batch must be at least 1"))

        // --resume into an output that does not exist: a usage error that says so, before any work.
        let nothing = try CommandRunner.run("assistant", ["batch", "--input", "/nonexistent/tickets.jsonl",
                                                          "--output", "/nonexistent/answers.jsonl", "--resume"])
        #expect(nothing.status == 2 && nothing.stderr.contains("/nonexistent/answers.jsonl does not exist"), "\(nothing.stderr)")
        #expect(!nothing.stderr.contains("cannot read"))

        let empty = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        try "{}".write(to: empty.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let broken = try CommandRunner.run("assistant", ["embed", "--model", empty.path], stdin: Data("x\n".utf8))
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("config.json: invalid configuration: missing field"))
    }

    @Test func versionsAndHelp() throws {
        for tool in ["assistant", "triage"] {
            let version = try CommandRunner.run(tool, ["--version"])
            #expect(version.status == 0 && version.stdout.hasPrefix("0."))
            let help = try CommandRunner.run(tool, ["--help"])
            #expect(help.status == 0 && help.stdout.contains("USAGE: \(tool)"))
            // The store options name this product's variables and folder, not a placeholder.
            let audit = try CommandRunner.run(tool, ["audit", "verify", "--help"])
            let text = audit.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let variable = tool.uppercased()
            #expect(audit.status == 0 && !text.contains("<PRODUCT>") && !text.contains("<product>"), "\(text)")
            #expect(text.contains("$\(variable)_HOME") && text.contains("~/.local/share/\(tool)"), "\(text)")
            #expect(text.contains("$\(variable)_KEY_FILE") && text.contains("$\(variable)_KEYS"), "\(text)")
            let rotate = try CommandRunner.run(tool, ["keys", "rotate", "--help"])
            #expect(rotate.status == 0 && !rotate.stdout.contains("<PRODUCT>") && rotate.stdout.contains("$\(variable)_KEYS"))
        }
    }
}
