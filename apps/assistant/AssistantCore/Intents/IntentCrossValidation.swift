import Crypto
public import Evaluation
public import Foundation
import ModelRuntime

/// `assistant eval --folds K`: stratified K-fold cross-validation of a training recipe. Each fold
/// trains a classifier with `IntentTrainingPipeline` on the other K − 1 folds (its validation
/// examples held out of those, as `assistant train` does without `--val`) and evaluates it on
/// its own fold with `IntentEvaluation`. Folds are independent: they can run one per machine
/// (`--fold I`) and be summarised once all K are written.
public enum IntentCrossValidation {
    /// The figures of one fold, written as `fold-I-of-K.json`.
    public struct Fold: Codable, Sendable, Equatable {
        public let k: Int
        public let index: Int
        /// Identifies the data and the recipe: folds with different fingerprints never merge.
        public let fingerprint: String
        public let trainCount: Int
        public let testCount: Int
        /// `accuracy`, `macro_f1`, `in_scope_accuracy`, and when measurable `oos_recall`, `ece`.
        public let metrics: [String: Double]
        /// F1 of each intent present in the fold's test examples.
        public let intentF1: [String: Double]

        enum CodingKeys: String, CodingKey {
            case k, index, fingerprint, metrics
            case trainCount = "train_count", testCount = "test_count", intentF1 = "intent_f1"
        }
    }

    /// The mean and 95% confidence interval (clipped to 0…1) of every metric over all K folds.
    public struct Summary: Codable, Sendable, Equatable {
        public let k: Int
        public let fingerprint: String
        public let examples: Int
        public let metrics: [String: FoldSpread]
        /// Per intent, over the folds that tested it (every fold when it has K examples or more).
        public let intentF1: [String: FoldSpread]

        enum CodingKeys: String, CodingKey {
            case k, fingerprint, examples, metrics
            case intentF1 = "intent_f1"
        }

        /// - Throws: `.invalidArgument` unless `folds` are exactly folds 0..<K of one fingerprint.
        public init(_ folds: [Fold]) throws {
            guard let first = folds.first else { throw EvaluationError.empty(what: "folds") }
            let sorted = folds.sorted { $0.index < $1.index }
            guard sorted.map(\.index) == Array(0..<first.k), sorted.allSatisfy({ $0.k == first.k }) else {
                throw EvaluationError.invalidArgument(name: "folds", reason: "need folds 0..<\(first.k) once each, got \(sorted.map(\.index))")
            }
            guard sorted.allSatisfy({ $0.fingerprint == first.fingerprint }) else {
                throw EvaluationError.invalidArgument(name: "folds", reason: "the folds come from different data or recipes")
            }
            k = first.k
            fingerprint = first.fingerprint
            examples = sorted.reduce(0) { $0 + $1.testCount }
            func spread(_ values: (Fold) -> [String: Double]) throws -> [String: FoldSpread] {
                let names = Set(sorted.flatMap { values($0).keys })
                return try Dictionary(uniqueKeysWithValues: names.map { name in
                    (name, try FoldSpread(sorted.compactMap { values($0)[name] }, within: 0...1))
                })
            }
            metrics = try spread(\.metrics)
            intentF1 = try spread(\.intentF1)
        }
    }

    /// A fingerprint of the examples, K and the recipe (`settings`: anything else that decides the
    /// training, e.g. the encoder version and the options as text).
    public static func fingerprint(examples: [LabelledText], k: Int, settings: String) -> String {
        var hash = SHA256()
        hash.update(data: Data("k=\(k)\n\(settings)\n".utf8))
        hash.update(data: Data(EncoderFineTuner.digest(examples).utf8))
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Trains and evaluates fold `index`.
    /// - Parameters:
    ///   - request: the recipe; its `train` is replaced by the fold's training examples, its
    ///     `validation` must be nil (held out of them) and its `output` is a scratch folder,
    ///     removed afterwards.
    ///   - outOfScopeLabel: the label of out-of-scope examples (not a class of the classifier).
    public static func run(fold index: Int, of folds: StratifiedFolds, examples: [LabelledText], fingerprint: String,
                           request: IntentTrainingPipeline.Request, outOfScopeLabel: String,
                           progress: (IntentTrainingPipeline.Event) throws -> Void = { _ in }) throws -> Fold {
        precondition(request.validation == nil, "cross-validation holds its validation examples out of each fold's training part")
        let (trainIndices, testIndices) = folds.split(index)
        var foldRequest = request
        foldRequest.train = trainIndices.map { examples[$0] }
        defer { try? FileManager.default.removeItem(at: request.output) }
        let outcome = try IntentTrainingPipeline(foldRequest).run(progress: progress)
        let encoderFolder = try outcome.classifier.encoderFolder(classifierFolder: request.output) { request.encoderFolder }
        let test = testIndices.map { examples[$0] }
        let evaluation = try IntentEvaluation(classifier: outcome.classifier, encoder: SentenceEncoder(folder: encoderFolder),
                                              examples: test, outOfScopeLabel: outOfScopeLabel)
        var metrics = ["accuracy": evaluation.accuracy, "macro_f1": evaluation.macroF1, "in_scope_accuracy": evaluation.inScopeAccuracy]
        metrics["oos_recall"] = evaluation.oosRecall
        metrics["ece"] = evaluation.ece
        let tested = Set(test.map(\.intent))
        let intentF1 = Dictionary(uniqueKeysWithValues: evaluation.report.perClass.filter { tested.contains($0.label) }.map { ($0.label, $0.f1) })
        return Fold(k: folds.k, index: index, fingerprint: fingerprint, trainCount: trainIndices.count, testCount: test.count,
                    metrics: metrics, intentF1: intentF1)
    }
}
