import Foundation
import TestSupport
import Testing

/// `triage train` and `triage eval` as a user runs them: bad labels files stop before any
/// training with the file and line, and a short run on real images writes a model that
/// `eval --json` reads. Uses a few PneumoniaMNIST images from ../shared (referenced by
/// absolute path, not copied); skipped when it is absent.
@Suite(.enabled(if: Fixtures.sharedDataPresent("pneumoniamnist/train.csv"), "../shared/data/pneumoniamnist is absent: skipped"))
struct TriageModelCLITests {
    static let data = Fixtures.sharedData.appendingPathComponent("pneumoniamnist")

    /// A labels CSV of `count` rows of the shared `split`, with absolute paths.
    static func subset(_ split: String, count: Int, into folder: URL, extra: String = "") throws -> String {
        let lines = try String(contentsOf: data.appendingPathComponent("\(split).csv"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).dropFirst()
        // Both classes: alternate normal and pneumonia rows.
        let normal = lines.filter { $0.hasSuffix(",normal") }.prefix(count / 2)
        let pneumonia = lines.filter { $0.hasSuffix(",pneumonia") }.prefix(count - count / 2)
        let rows = (normal + pneumonia).map { data.appendingPathComponent(String($0)).path }
        let url = folder.appendingPathComponent("\(split)-\(count).csv")
        try (["file,label"] + rows + (extra.isEmpty ? [] : [extra])).joined(separator: "\n").appending("\n")
            .write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func badLabelsStopBeforeTrainingWithFileAndLine() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let val = try Self.subset("val", count: 4, into: folder)
        let unknown = try Self.subset("train", count: 4, into: folder, extra: Self.data.appendingPathComponent("train/train_00009.png").path + ",covid")
        let r = try CommandRunner.run("triage", ["train", "--labels", unknown, "--val-labels", val, "--out", folder.appendingPathComponent("m").path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("train-4.csv:6: unknown label 'covid'"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("m").path))
        let usage = try CommandRunner.run("triage", ["train", "--labels", val, "--val-labels", val, "--out", "x", "--widths", "4,zero"])
        #expect(usage.status == 2 && usage.stderr.contains("--widths"))
    }

    @Test func trainsATinyModelThatEvalReads() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = try Self.subset("train", count: 24, into: folder), val = try Self.subset("val", count: 12, into: folder)
        let out = folder.appendingPathComponent("model").path
        let r = try CommandRunner.run("triage", ["train", "--labels", train, "--val-labels", val, "--out", out, "--epochs", "1",
                                                 "--batch-size", "8", "--widths", "4,8", "--depths", "1,1", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("validation AUC") && r.stderr.contains("epoch 1/1"))
        let e = try CommandRunner.run("triage", ["eval", "--model", out, "--labels", val, "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
        for key in ["auc", "accuracy", "sensitivity", "specificity", "ece", "n", "f1", "brier", "confusion"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["n"] as? Int == 12)
        let missing = try CommandRunner.run("triage", ["eval", "--model", folder.path, "--labels", val])
        #expect(missing.status == 1 && missing.stderr.contains("model.json: no such file"), "\(missing.stderr)")
    }

    /// `triage eval --folds K` on a few real images: one fold alone, then the rest into the same
    /// folder, the summary's means are the folds' means, and bad settings are usage errors.
    @Test func crossValidatesTheRecipeFoldByFold() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let labels = try Self.subset("train", count: 30, into: folder)
        let out = folder.appendingPathComponent("cv").path
        let base = ["eval", "--labels", labels, "--folds", "3", "--out", out, "--epochs", "1", "--batch-size", "8",
                    "--widths", "4,8", "--depths", "1,1", "--threads", "1"]
        let one = try CommandRunner.run("triage", base + ["--fold", "2"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stderr.contains("fold 3/3: training on 20 examples, testing on 10"), "\(one.stderr)")
        #expect(one.stdout.contains("1 of 3 folds written"), "\(one.stdout)")

        let all = try CommandRunner.run("triage", base + ["--json"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stderr.contains("fold 3/3: written earlier"), "\(all.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted()
                == ["fold-0-of-3.json", "fold-1-of-3.json", "fold-2-of-3.json", "summary.json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
        #expect(summary["examples"] as? Int == 30)
        let metrics = try #require(summary["metrics"] as? [String: [String: Any]])
        #expect(Set(metrics.keys) == ["auc", "accuracy", "sensitivity", "specificity", "f1", "ece", "brier"])
        let aucs = try (0..<3).map { i -> Double in
            let fold = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/fold-\(i)-of-3.json"))) as? [String: Any]
            #expect(fold?["test_count"] as? Int == 10)
            return try #require((fold?["metrics"] as? [String: Double])?["auc"])
        }
        #expect(abs((metrics["auc"]?["mean"] as? Double ?? -1) - aucs.reduce(0, +) / 3) < 1e-12)
        #expect(Set((summary["per_class"] as? [String: Any] ?? [:]).keys) == ["normal", "pneumonia"])

        for (arguments, message) in [(["--folds", "2", "--out", out], "--folds must be at least 3"),
                                     (["--folds", "3", "--out", out, "--model", out], "--folds trains its own models"),
                                     (["--fold", "1"], "--fold and --out go with --folds")] {
            let usage = try CommandRunner.run("triage", ["eval", "--labels", labels] + arguments)
            #expect(usage.status == 2 && usage.stderr.contains(message), "\(arguments): \(usage.stderr)")
        }
    }
}
