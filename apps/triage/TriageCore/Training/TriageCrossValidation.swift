public import Evaluation
import Crypto
public import Foundation

/// `triage eval --folds K`: stratified K-fold cross-validation of a training recipe. Fold I is
/// tested on its own images; the next fold, (I + 1) mod K, is the validation set that picks the
/// epoch, the temperature and the thresholds (`TriageTrainer`); the other K − 2 folds train.
/// Folds are independent: they can run one per machine (`--fold I`) and be summarised once all
/// K are written.
public enum TriageCrossValidation {
    /// The fewest folds: one to test, one to validate, at least one to train.
    public static let minimumFolds = 3

    /// Indices of fold `index`'s training, validation and test images.
    public static func parts(_ index: Int, of folds: StratifiedFolds) -> (train: [Int], validation: [Int], test: [Int]) {
        let (rest, test) = folds.split(index)
        let validationFold = (index + 1) % folds.k
        return (rest.filter { folds.fold[$0] != validationFold }, rest.filter { folds.fold[$0] == validationFold }, test)
    }

    /// Trains in `scratch` (removed afterwards) and evaluates fold `index`: `auc`, `accuracy`,
    /// `sensitivity`, `specificity`, `f1`, `ece`, `brier`; per class, its recall.
    /// - Precondition: `folds.k ≥ minimumFolds`.
    public static func run(fold index: Int, of folds: StratifiedFolds, data: LabelledImages, fingerprint: String,
                           options: TriageTrainer.Options, scratch: URL,
                           progress: (TriageTrainer.Event) throws -> Void = { _ in }) throws -> CrossValidationFold {
        precondition(folds.k >= minimumFolds, "triage cross-validation needs at least \(minimumFolds) folds")
        let (train, validation, test) = parts(index, of: folds)
        let name = "\(data.path), fold \(index) of \(folds.k)"
        defer { try? FileManager.default.removeItem(at: scratch) }
        _ = try TriageTrainer(options: options).run(train: data.subset(train, path: name + " (training part)"),
                                                    validation: data.subset(validation, path: name + " (validation part)"),
                                                    output: scratch, progress: progress)
        let report = try TriageEvaluator(model: TriageModel.load(directory: scratch)).evaluate(data.subset(test, path: name))
        let metrics = ["auc": report.auc, "accuracy": report.accuracy, "sensitivity": report.sensitivity,
                       "specificity": report.specificity, "f1": report.f1, "ece": report.ece, "brier": report.brier]
        let positive = options.labels.firstIndex(of: options.positiveLabel)
        let recall = Dictionary(uniqueKeysWithValues: options.labels.enumerated().map { i, label in
            (label, i == positive ? report.sensitivity : report.specificity)
        })
        return CrossValidationFold(k: folds.k, index: index, fingerprint: fingerprint, trainCount: train.count + validation.count,
                                   testCount: test.count, metrics: metrics, perClass: recall)
    }
}

extension TriageCrossValidation {
    /// A fingerprint of the labels file, K and the recipe (`settings`: the training settings as text).
    public static func fingerprint(data: LabelledImages, k: Int, settings: String) -> String {
        var hash = SHA256()
        hash.update(data: Data("k=\(k)\n\(settings)\n\(data.sha256)".utf8))
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
