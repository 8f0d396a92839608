import Foundation
import TestSupport
import Testing

/// `assistant merge` and `batch --shard` on the command line: the outputs of shards joined in
/// input order, and bad shard or merge arguments refused with exit 2 before anything runs.
struct AssistantMergeCLITests {
    @Test func mergeJoinsShardOutputsInInputOrder() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("part0.jsonl"), b = dir.appendingPathComponent("part1.jsonl")
        try "{\"row\":1,\"decision\":\"answer\"}\n{\"row\":3,\"decision\":\"escalate\"}\n".write(to: a, atomically: true, encoding: .utf8)
        try "{\"row\":2,\"decision\":\"answer\"}\n".write(to: b, atomically: true, encoding: .utf8)
        let merged = dir.appendingPathComponent("merged.jsonl").path
        let result = try CommandRunner.run("assistant", ["merge", "--output", merged, "--part", a.path, "--part", b.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 lines (0 duplicate rows dropped) → \(merged)"))
        #expect(try String(contentsOfFile: merged, encoding: .utf8)
                == "{\"row\":1,\"decision\":\"answer\"}\n{\"row\":2,\"decision\":\"answer\"}\n{\"row\":3,\"decision\":\"escalate\"}\n")
        let again = try CommandRunner.run("assistant", ["merge", "--output", merged, "--part", a.path])
        #expect(again.status == 2 && again.stderr.contains("exists: choose another output"))
    }

    @Test func badShardsAndMergeArgumentsAreRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.jsonl").path
        let shard = try CommandRunner.run("assistant", ["batch", "--input", "t.jsonl", "--output", out, "--shard", "2/2"])
        #expect(shard.status == 2 && shard.stderr.contains("--shard 2/2: expected I/N with 0 ≤ I < N"), "\(shard.stderr)")
        let delimiter = try CommandRunner.run("assistant", ["batch", "--input", "t.csv", "--output", out, "--delimiter", "ab"])
        #expect(delimiter.status == 2 && delimiter.stderr.contains("--delimiter: one character"), "\(delimiter.stderr)")
        let nothing = try CommandRunner.run("assistant", ["merge"])
        #expect(nothing.status == 2 && nothing.stderr.contains("give other homes to merge"), "\(nothing.stderr)")
        let lonely = try CommandRunner.run("assistant", ["merge", "--part", "p.jsonl"])
        #expect(lonely.status == 2 && lonely.stderr.contains("--output and --part go together"), "\(lonely.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
