/// Out-of-scope metrics of an intent classifier, as reported for CLINC150
/// (Larson et al. 2019, "An Evaluation Dataset for Intent Classification and Out-of-Scope
/// Prediction").
public struct OutOfScopeMetrics: Codable, Sendable, Equatable {
    /// The label that marks out-of-scope examples (e.g. `"oos"`).
    public let label: String
    /// Accuracy over examples whose true label is in scope; predicting out-of-scope for them is
    /// an error like any other wrong intent.
    public let inScopeAccuracy: Proportion
    /// Of the truly out-of-scope examples, the fraction predicted out-of-scope.
    public let outOfScopeRecall: Proportion
    /// Of the examples predicted out-of-scope, the fraction truly out-of-scope.
    package let outOfScopePrecision: Proportion
}

extension MulticlassMetrics {
    /// In-scope accuracy, out-of-scope recall and precision for the out-of-scope `label`.
    /// A proportion with no examples to count is 0 with the interval [0, 1].
    /// - Throws: `.invalidArgument` when `label` is not one of `classes`.
    public func outOfScope(label: String = "oos") throws -> OutOfScopeMetrics {
        guard let o = lookup[label] else {
            throw EvaluationError.invalidArgument(name: "out-of-scope label", reason: "\"\(label)\" is not one of the known classes")
        }
        let k = classes.count
        let (support, predicted) = tallies()
        var inScopeCorrect = 0, inScopeTotal = 0
        for c in 0..<k where c != o {
            inScopeCorrect += confusion[c * k + c]
            inScopeTotal += support[c]
        }
        let oosHits = confusion[o * k + o]
        return OutOfScopeMetrics(
            label: label,
            inScopeAccuracy: Proportion(count: inScopeCorrect, total: inScopeTotal),
            outOfScopeRecall: Proportion(count: oosHits, total: support[o]),
            outOfScopePrecision: Proportion(count: oosHits, total: predicted[o]))
    }
}
