import Foundation
import ModelRuntime
import TestSupport
import Testing
@testable import AssistantCore

/// Encoder fine-tuning on the tiny random BERT of the fixtures (hidden 32, 2 layers): it learns
/// separable intents, writes an encoder folder that embeds as the trainer did, resumes from its
/// checkpoint exactly, and refuses a checkpoint of another run.
struct EncoderFineTunerTests {
    static let base = Fixtures.url("bert/tiny")

    /// Three intents told apart by their words, ten phrasings each.
    static func examples(_ offset: Int) -> [LabelledText] {
        let intents = [("card", ["my card is lost", "the card does not work", "block my card", "card stolen"]),
                       ("transfer", ["send money to a friend", "the transfer is late", "how do i pay rent", "money sent twice"]),
                       ("password", ["i forgot my password", "reset the password", "cannot log in", "change my login"])]
        return intents.flatMap { intent, phrases in
            (0..<10).map { i in LabelledText(text: "\(phrases[(i + offset) % phrases.count]) \(["please", "now", "today", "help"][i % 4])",
                                             intent: intent) }
        }
    }

    static let settings = FineTuneSettings(trainableLayers: 1, epochs: 8, batchSize: 4, encoderLearningRate: 3e-3,
                                           headLearningRate: 0.1, warmupFraction: 0.1, weightDecay: 0.01,
                                           maxGradientNorm: 1, dropout: 0.1, linearProbe: true, seed: 7)

    struct Interrupted: Error {}

    func run(_ settings: FineTuneSettings = settings, into folder: URL, stopAfterEpoch: Int? = nil) throws
        -> EncoderFineTuner.Result {
        try EncoderFineTuner(settings: settings).run(
            train: Self.examples(0), validation: Self.examples(1), base: SentenceEncoder(folder: Self.base),
            baseFolder: Self.base, output: folder) { event in
                if case .training(.epoch(let epoch, _, _, _, _, _)) = event, epoch == stopAfterEpoch { throw Interrupted() }
            }
    }

    @Test func learnsTheIntentsAndWritesALoadableEncoder() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try run(into: folder)
        #expect(result.report.validationAccuracyByEpoch.count == 8)
        #expect(result.report.validationAccuracyByEpoch.max()! >= 0.8, "\(result.report.validationAccuracyByEpoch)")
        // One layer of hidden 32, intermediate 64: Q, K, V, output (32·32 + 32 each), two LayerNorms, two dense layers.
        #expect(result.report.trainableParameters == 4 * (32 * 32 + 32) + 2 * 64 + (64 * 32 + 64) + (32 * 64 + 32))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["encoder"])

        // The written folder embeds as the fine-tuner did, and differs from the base encoder.
        let encoder = try SentenceEncoder(folder: result.encoderFolder)
        let texts = Self.examples(0).map(\.text)
        let loaded = try encoder.embed(texts)
        let worst = zip(loaded, result.trainEmbeddings).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
        #expect(worst <= 1e-5)
        let original = try SentenceEncoder(folder: Self.base).embed(texts)
        #expect(zip(original[0], loaded[0]).map { abs($0 - $1) }.max()! > 1e-3)

        // The calibrated head on the fine-tuned embeddings, and the classifier's encoder lookup.
        let version = ModelLocator.version(of: result.encoderFolder)
        #expect(version != ModelLocator.version(of: Self.base))
        var (classifier, report) = try IntentTrainer.train(
            train: Array(zip(result.trainEmbeddings, Self.examples(0).map(\.intent))),
            validation: Array(zip(result.validationEmbeddings, Self.examples(1).map(\.intent))), embeddingModel: version)
        let base = try SentenceEncoder(folder: Self.base)
        let (_, frozen) = try IntentTrainer.train(
            train: Array(zip(try base.embed(texts), Self.examples(0).map(\.intent))),
            validation: Array(zip(try base.embed(Self.examples(1).map(\.text)), Self.examples(1).map(\.intent))), embeddingModel: "base")
        #expect(report.validationAccuracy >= frozen.validationAccuracy + 0.1, "fine-tuned \(report.validationAccuracy), frozen \(frozen.validationAccuracy)")
        classifier.encoder = EncoderFineTuner.encoderFolderName
        #expect(try classifier.encoderFolder(classifierFolder: folder) { Self.base }.path == result.encoderFolder.path)
        classifier.encoder = "missing"
        #expect { try classifier.encoderFolder(classifierFolder: folder) { Self.base } } throws: { "\($0)".contains("missing") }
        classifier.encoder = nil
        #expect(throws: ClassifierError.modelMismatch(classifier: version, encoder: ModelLocator.version(of: Self.base))) {
            try classifier.encoderFolder(classifierFolder: folder) { Self.base }
        }
    }

    @Test func resumesFromItsCheckpointExactlyAndRefusesAnotherRunsCheckpoint() throws {
        let straight = try Fixtures.temporaryDirectory(), resumed = try Fixtures.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: straight)
            try? FileManager.default.removeItem(at: resumed)
        }
        let reference = try run(into: straight)
        #expect(throws: Interrupted.self) { try run(into: resumed, stopAfterEpoch: 2) }
        #expect(FileManager.default.fileExists(atPath: resumed.appendingPathComponent("checkpoint.safetensors").path))
        var other = Self.settings
        other.seed = 8
        #expect { try run(other, into: resumed) } throws: { ($0 as? TrainingError).map {
            if case .checkpointMismatch = $0 { return true } else { return false } } ?? false }
        let result = try run(into: resumed)
        #expect(result.report.validationAccuracyByEpoch == reference.report.validationAccuracyByEpoch)
        #expect(result.trainEmbeddings == reference.trainEmbeddings)
        let a = try SafeTensorsFile(url: reference.encoderFolder.appendingPathComponent("model.safetensors"))
        let b = try SafeTensorsFile(url: result.encoderFolder.appendingPathComponent("model.safetensors"))
        for name in a.entries.keys { #expect(try a.tensor(name).scalars == b.tensor(name).scalars, "\(name)") }
    }

    @Test func batchesCoverEveryExampleOnceWithSimilarLengths() {
        let lengths = (0..<300).map { 3 + ($0 * 7919) % 40 }
        func epoch(_ e: Int) -> [[Int]] {
            var shuffle = SeededGenerator(seed: 1, stream: "shuffle/\(e)")
            return EncoderFineTuner.batches(lengths: lengths, batchSize: 8, using: &shuffle)
        }
        let batches = epoch(0)
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<300))
        #expect(batches.allSatisfy { $0.count <= 8 })
        #expect(epoch(0) == batches)
        #expect(epoch(1) != batches)
        let spread = batches.map { b in b.map { lengths[$0] }.max()! - b.map { lengths[$0] }.min()! }
        #expect(Double(spread.reduce(0, +)) / Double(spread.count) < 5)
    }

    @Test func heldOutSplitIsStratifiedAndDeterministic() {
        let examples = (0..<30).map { LabelledText(text: "t\($0)", intent: $0 % 2 == 0 ? "a" : "b") }
        let split = HeldOutSplit(examples)
        #expect(split.validation.map(\.text) == ["t2", "t3", "t16", "t17"])
        #expect(split.train.count + split.validation.count == 30)
    }
}
