import Foundation
import TestSupport
import Testing

/// `assistant train --fine-tune-layers` and `assistant eval` on the tiny random BERT of the
/// fixtures: the classifier folder carries its fine-tuned encoder, `eval` uses it (no --model
/// needed), `--held-out` evaluates the examples `train` held out, bad settings are usage errors.
struct IntentFineTuneCLITests {
    static let tiny = Fixtures.url("bert/tiny").path

    static func examplesFile(in folder: URL) throws -> URL {
        let phrases = [("card", ["my card is lost", "block my card", "card stolen"]),
                       ("transfer", ["send money to a friend", "the transfer is late", "money sent twice"])]
        var lines: [String] = []
        for i in 0..<14 {
            for (intent, texts) in phrases {
                lines.append(#"{"text": "\#(texts[i % texts.count]) \#(["please", "now", "today"][i % 3])", "intent": "\#(intent)"}"#)
            }
        }
        let url = folder.appendingPathComponent("examples.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func trainsWithAFineTunedEncoderThatEvalUses() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let examples = try Self.examplesFile(in: folder).path
        let out = folder.appendingPathComponent("classifier").path
        let train = try CommandRunner.run("assistant", [
            "train", "--model", Self.tiny, "--examples", examples, "--out", out, "--fine-tune-layers", "1",
            "--epochs", "2", "--batch-size", "4", "--learning-rate", "1e-3", "--head-learning-rate", "5e-2", "--threads", "1",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("epoch 2/2"), "\(train.stderr)")
        #expect(train.stdout.hasPrefix("trained 2 intents"), "\(train.stdout)")
        let contents = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(contents == ["MODEL_CARD.md", "classifier.json", "encoder"])
        let classifier = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/classifier.json")))
            as? [String: Any]
        #expect(classifier?["encoder"] as? String == "encoder")
        #expect((classifier?["embeddingModel"] as? String)?.hasPrefix("encoder@") == true)
        #expect(try String(contentsOfFile: out + "/MODEL_CARD.md", encoding: .utf8).contains("fine-tuned from tiny@"))

        let eval = try CommandRunner.run("assistant", ["eval", "--classifier", out, "--examples", examples, "--held-out", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
        #expect(summary?["n"] as? Int == 4)  // the 2nd and 9th example of each intent

        // The classifier refuses the shared encoder once its own is gone.
        try FileManager.default.removeItem(atPath: out + "/encoder")
        let broken = try CommandRunner.run("assistant", ["eval", "--classifier", out, "--examples", examples, "--model", Self.tiny])
        #expect(broken.status == 1 && broken.stderr.contains("fine-tuned encoder is missing"), "\(broken.stderr)")

        let usage = try CommandRunner.run("assistant", ["train", "--model", Self.tiny, "--examples", examples, "--out", out,
                                                        "--fine-tune-layers", "3"])
        #expect(usage.status == 2 && usage.stderr.contains("--fine-tune-layers: must be in 1...2"), "\(usage.stderr)")
    }
}
