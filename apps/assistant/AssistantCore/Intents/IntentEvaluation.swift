public import Evaluation
import Foundation
public import ModelRuntime

/// `assistant eval`: a classifier's figures on labelled examples, embedded with the encoder
/// the classifier was trained with. An escalation (out of scope or ambiguous) of an in-scope
/// example counts as wrong for in-scope accuracy.
public struct IntentEvaluation: Encodable, Sendable {
    public let n: Int
    public let accuracy: Double
    package let macroF1: Double
    package let inScopeAccuracy: Double
    let oosRecall: Double?
    public let ece: Double?
    /// The per-intent report (`renderTable()` for people).
    public let report: MulticlassReport

    /// - Parameters:
    ///   - encoder: the sentence encoder of `classifier` (its `encoder/` folder when fine-tuned).
    ///   - outOfScopeLabel: the label of out-of-scope examples; it need not be a class of the classifier.
    /// - Throws: `ClassifierError.invalidExamples` for an intent the classifier does not know.
    public init(classifier: IntentClassifier, encoder: SentenceEncoder, examples: [LabelledText], outOfScopeLabel: String) throws {
        let predictions = try Self.predictions(classifier: classifier, encoder: encoder, examples: examples,
                                               outOfScopeLabel: outOfScopeLabel)
        let classes = classifier.labels.contains(outOfScopeLabel) ? classifier.labels : classifier.labels + [outOfScopeLabel]
        var predicted: [String] = [], probabilities: [Double] = []
        for p in predictions {
            predicted.append(p.verdict == .inScope ? p.ranking[0].label : outOfScopeLabel)
            let byLabel = Dictionary(uniqueKeysWithValues: p.ranking.map { ($0.label, $0.probability) })
            probabilities += classes.map { byLabel[$0] ?? 0 }
        }
        let truth = examples.map(\.intent)
        let metrics = try MulticlassMetrics(classes: classes, truth: truth, predicted: predicted)
        let hasOOS = truth.contains(outOfScopeLabel)
        report = try MulticlassReport(metrics, probabilities: ClassProbabilities(classes: classes, truth: truth,
                                                                               probabilities: probabilities),
                                      outOfScopeLabel: hasOOS ? outOfScopeLabel : nil)
        n = examples.count
        accuracy = metrics.accuracy.value
        macroF1 = metrics.macroF1
        inScopeAccuracy = try hasOOS ? metrics.outOfScope(label: outOfScopeLabel).inScopeAccuracy.value : metrics.accuracy.value
        oosRecall = hasOOS ? try metrics.outOfScope(label: outOfScopeLabel).outOfScopeRecall.value : nil
        ece = report.calibration?.expectedCalibrationError
    }

    /// The classifier's prediction for each example, in order: `assistant eval`'s one pass over
    /// the examples, shared with the promotion gate.
    /// - Throws: `ClassifierError.invalidExamples` for an intent the classifier does not know.
    static func predictions(classifier: IntentClassifier, encoder: SentenceEncoder, examples: [LabelledText],
                            outOfScopeLabel: String) throws -> [IntentClassifier.Prediction] {
        let known = Set(classifier.labels + [outOfScopeLabel])
        if let unknown = examples.first(where: { !known.contains($0.intent) }) {
            throw ClassifierError.invalidExamples("intent '\(unknown.intent)' is not one the classifier knows")
        }
        return try encoder.embed(examples.map(\.text)).map(classifier.predict)
    }
}
