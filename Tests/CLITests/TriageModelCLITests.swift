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
}
