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
    /// A fingerprint of the examples, K and the recipe (`settings`: anything else that decides the
    /// training, e.g. the encoder version and the options as text).
    public static func fingerprint(examples: [LabelledText], k: Int, settings: String) -> String {
        var hash = SHA256()
        hash.update(data: Data("k=\(k)\n\(settings)\n".utf8))
        hash.update(data: Data(EncoderFineTuner.digest(examples).utf8))
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Trains and evaluates fold `index`: `accuracy`, `macro_f1`, `in_scope_accuracy`, and when
    /// measurable `oos_recall` and `ece`; per class, each tested intent's F1.
    /// - Parameters:
    ///   - request: the recipe; its `train` is replaced by the fold's training examples, its
    ///     `validation` must be nil (held out of them) and its `output` is a scratch folder,
    ///     removed afterwards.
    ///   - outOfScopeLabel: the label of out-of-scope examples (not a class of the classifier).
    public static func run(fold index: Int, of folds: StratifiedFolds, examples: [LabelledText], fingerprint: String,
                           request: IntentTrainingPipeline.Request, outOfScopeLabel: String,
                           progress: (IntentTrainingPipeline.Event) throws -> Void = { _ in }) throws -> CrossValidationFold {
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
        return CrossValidationFold(k: folds.k, index: index, fingerprint: fingerprint, trainCount: trainIndices.count,
                                   testCount: test.count, metrics: metrics, perClass: intentF1)
    }
}
