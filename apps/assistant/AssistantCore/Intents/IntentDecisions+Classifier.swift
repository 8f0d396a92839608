package import Evaluation
package import Foundation
package import ModelRuntime

extension IntentDecisions {
    /// One classifier's decisions on labelled examples for the promotion gate (`PromotionGate`),
    /// from the same predictions as `assistant eval` (`IntentEvaluation`): per example, in order,
    /// the top-ranked intent, its calibrated probability in [0, 1], and whether the classifier
    /// escalates (verdict out of scope or ambiguous).
    /// - Parameters:
    ///   - encoder: the sentence encoder of `classifier` (its `encoder/` folder when fine-tuned).
    ///   - outOfScopeLabel: the label of out-of-scope examples; it need not be a class of the classifier.
    /// - Throws: `ClassifierError.invalidExamples` for an intent the classifier does not know.
    package init(classifier: IntentClassifier, encoder: SentenceEncoder, examples: [LabelledText], outOfScopeLabel: String) throws {
        let predictions = try IntentEvaluation.predictions(
            classifier: classifier, encoder: encoder, examples: examples, outOfScopeLabel: outOfScopeLabel)
        self.init(
            truth: examples.map(\.intent),
            decisions: predictions.map {
                IntentDecision(topLabel: $0.ranking[0].label, topProbability: $0.ranking[0].probability, escalated: $0.verdict != .inScope)
            },
            outOfScopeLabel: outOfScopeLabel)
    }

    /// The same from files, loaded as `assistant eval --classifier DIR --examples FILE` loads them.
    /// - Parameters:
    ///   - classifierFolder: a classifier folder (`classifier.json`, and `encoder/` when fine-tuned).
    ///   - examples: labelled JSONL, `{"text": ..., "intent": ...}` per line.
    ///   - sharedEncoder: the shared encoder folder (`--model`), asked for only when the
    ///     classifier has no encoder of its own.
    /// - Throws: `ClassifierError` (unreadable classifier, encoder mismatch, unknown intent),
    ///   `InputError` for a bad line of `examples`.
    package init(classifierFolder: URL, examples: String, outOfScopeLabel: String, sharedEncoder: () throws -> URL) throws {
        let classifier = try IntentClassifier.load(folder: classifierFolder)
        let data = try LabelledTextFile.load(examples)
        let folder = try classifier.encoderFolder(classifierFolder: classifierFolder, shared: sharedEncoder)
        try self.init(classifier: classifier, encoder: SentenceEncoder(folder: folder), examples: data, outOfScopeLabel: outOfScopeLabel)
    }
}
