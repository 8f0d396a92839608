import Foundation
import TestSupport
import Testing

/// `assistant eval --folds K` on the tiny random BERT of the fixtures: folds run one at a time
/// (`--fold I`) or all, folds already written are kept, the summary comes once all K are there,
/// and bad settings are usage errors.
struct IntentCrossValidationCLITests {
    @Test func foldsRunApartAndMergeIntoASummary() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let examples = try IntentFineTuneCLITests.examplesFile(in: folder).path
        let out = folder.appendingPathComponent("cv").path
        let base = ["eval", "--model", IntentFineTuneCLITests.tiny, "--examples", examples, "--folds", "3", "--out", out, "--threads", "1"]

        let one = try CommandRunner.run("assistant", base + ["--fold", "1"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stderr.contains("fold 2/3: training on 18 examples, testing on 10"), "\(one.stderr)")
        #expect(one.stdout.contains("1 of 3 folds written"), "\(one.stdout)")
        #expect(!FileManager.default.fileExists(atPath: out + "/summary.json"))
        let firstFold = try Data(contentsOf: URL(fileURLWithPath: out + "/fold-1-of-3.json"))

        let all = try CommandRunner.run("assistant", base + ["--json"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stderr.contains("fold 2/3: written earlier"), "\(all.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/fold-1-of-3.json")) == firstFold)
        // No trained model folder is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted()
                == ["fold-0-of-3.json", "fold-1-of-3.json", "fold-2-of-3.json", "summary.json"])

        let summary = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
        #expect(summary["k"] as? Int == 3 && summary["examples"] as? Int == 28)
        let accuracy = try #require((summary["metrics"] as? [String: Any])?["accuracy"] as? [String: Any])
        let perFold = try (0..<3).map { i -> Double in
            let fold = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/fold-\(i)-of-3.json"))) as? [String: Any]
            return try #require((fold?["metrics"] as? [String: Double])?["accuracy"])
        }
        #expect(accuracy["values"] as? [Double] == perFold)
        #expect(abs((accuracy["mean"] as? Double ?? -1) - perFold.reduce(0, +) / 3) < 1e-12)
        #expect(Set(((summary["intent_f1"] as? [String: Any]) ?? [:]).keys) == ["card", "transfer"])

        // Another recipe into the same folder is refused, not mixed in.
        let other = try CommandRunner.run("assistant", base + ["--min-oos-recall", "0.5"])
        #expect(other.status == 2 && other.stderr.contains("holds a fold of other data or another recipe"), "\(other.stderr)")

        for (arguments, message) in [(["--folds", "1", "--out", out], "--folds must be at least 2"),
                                     (["--folds", "3", "--fold", "3", "--out", out], "--fold must be in 0..<3"),
                                     (["--folds", "3"], "--folds needs --out"),
                                     (["--folds", "3", "--out", out, "--classifier", out], "exactly one of --classifier and --folds")] {
            let usage = try CommandRunner.run("assistant", ["eval", "--model", IntentFineTuneCLITests.tiny, "--examples", examples] + arguments)
            #expect(usage.status == 2 && usage.stderr.contains(message), "\(arguments): \(usage.stderr)")
        }
    }
}
