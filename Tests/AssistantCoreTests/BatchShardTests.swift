import AuditLog
import Foundation
import GRDB
import RecordStore
import SuiteFoundation
import TestSupport
import Testing
import Vault
@testable import AssistantCore

/// `assistant batch --shard I/N` and `assistant merge`: two shards answer every row once, and
/// merging their outputs and stores gives what one run gives.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct BatchShardTests {
    static func lines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// row|decision|article|ticket|error of each line: what a shard must reproduce.
    static func decisions(_ lines: [[String: Any]]) -> [String] {
        lines.map { line in ["row", "decision", "article_id", "ticket_id", "error"].map { "\(line[$0] ?? "-")" }.joined(separator: "|") }
    }

    @Test func twoShardsMergedGiveWhatOneRunGives() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("tickets.jsonl")
        let texts = ["my card never arrived", "how do I freeze my card", "not json", "I want to close my account",
                     "why was my payment declined", "what is the weather on Mars", "how long does a transfer take"]
        try texts.map { $0 == "not json" ? $0 : "{\"text\": \"\($0)\"}" }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        func home(_ name: String) throws -> (Answerer, AssistantStore) {
            let home = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let (answerer, store, _) = try BatchRunnerTests.demoAnswerer(home: home)
            return (answerer, store)
        }
        let (whole, wholeStore) = try home("whole")
        let single = dir.appendingPathComponent("single.jsonl")
        _ = try BatchRunner(answerer: whole, actor: "test").run(source: TicketSource(path: input.path), output: single, resume: false)

        var stores: [AssistantStore] = [], parts: [URL] = []
        for index in 0..<2 {
            let (answerer, store) = try home("shard\(index)")
            let part = dir.appendingPathComponent("part\(index).jsonl")
            let summary = try BatchRunner(answerer: answerer, actor: "test")
                .run(source: TicketSource(path: input.path), output: part, resume: false, shard: try Shard(index: index, count: 2))
            #expect(summary.rows == (index == 0 ? 4 : 3) && summary.otherShard == (index == 0 ? 3 : 4))
            #expect(try Self.lines(part).map { $0["row"] as? Int } == (index == 0 ? [1, 3, 5, 7] : [2, 4, 6]))
            stores.append(store)
            parts.append(part)
        }
        let merged = dir.appendingPathComponent("merged.jsonl")
        #expect(try BatchOutputMerge.merge(parts, into: merged) == .init(lines: 7, duplicates: 0))
        #expect(Self.decisions(try Self.lines(merged)) == Self.decisions(try Self.lines(single)))

        // The second shard's store into the first: the usable rows' tickets, texts readable under the new keys.
        let target = stores[0]
        #expect(try target.merge(from: stores[1], actor: "test") == .init(copied: 3, alreadyPresent: 0))
        #expect(try target.merge(from: stores[1], actor: "test") == .init(copied: 0, alreadyPresent: 3))
        func count(_ store: AssistantStore, _ table: String) throws -> Int? {
            try store.secure.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") }
        }
        #expect(try count(target, "tickets") == count(wholeStore, "tickets") && count(target, "answers") == count(wholeStore, "answers"))
        let fromOther = try #require(try Self.lines(parts[1]).first { $0["error"] == nil }?["ticket_id"] as? String)
        #expect(try target.ticket(id: fromOther, actor: "test")?.text == texts[1])
        let verification = try target.verifyRecords()
        #expect(verification.integrityFailed.isEmpty && verification.missing.isEmpty && verification.checked > 0)
        #expect(try target.secure.audit.verify().isIntact && stores[1].secure.audit.verify().isIntact)
    }

    @Test func anAnsweredLineWinsOverAnErrorLineOfTheSameRow() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.jsonl"), b = dir.appendingPathComponent("b.jsonl")
        try "{\"row\":1,\"decision\":\"answer\"}\n{\"row\":3,\"error\":\"disk full\",\"retry\":true}\n".write(to: a, atomically: true, encoding: .utf8)
        try "{\"row\":2,\"decision\":\"escalate\"}\n{\"row\":3,\"decision\":\"answer\"}\n{\"row\":4,\"decis".write(to: b, atomically: true, encoding: .utf8)
        let merged = dir.appendingPathComponent("m.jsonl")
        #expect(try BatchOutputMerge.merge([a, b], into: merged) == .init(lines: 3, duplicates: 1))  // b's torn last line is not read
        #expect(try String(contentsOf: merged, encoding: .utf8)
                == "{\"row\":1,\"decision\":\"answer\"}\n{\"row\":2,\"decision\":\"escalate\"}\n{\"row\":3,\"decision\":\"answer\"}\n")
        #expect(!FileManager.default.fileExists(atPath: BatchOutputFile.temporary(for: merged).path))
    }
}
