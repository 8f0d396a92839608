/// One intent classifier's decision on one example.
package struct IntentDecision: Codable, Sendable, Equatable {
    /// The intent the model ranks first.
    package var topLabel: String
    /// Its calibrated probability, in [0, 1].
    package var topProbability: Double
    /// The model hands the example to a person (out of scope, or too ambiguous to answer)
    /// instead of answering with `topLabel`.
    package var escalated: Bool

    package init(topLabel: String, topProbability: Double, escalated: Bool) {
        self.topLabel = topLabel
        self.topProbability = topProbability
        self.escalated = escalated
    }
}

/// What the promotion gate needs of one intent classifier on a labelled file: each example's
/// true label and the model's decision, in file order. `assistant eval` counts the same way: an
/// escalation is the out-of-scope prediction, right for an out-of-scope example and wrong for an
/// in-scope one.
package struct IntentDecisions: Codable, Sendable, Equatable {
    /// The true intent of each example, or `outOfScopeLabel`. [n]
    package var truth: [String]
    /// The model's decision on each example, [n], parallel to `truth`.
    package var decisions: [IntentDecision]
    /// The label of out-of-scope examples in `truth` (e.g. `"oos"`).
    package var outOfScopeLabel: String

    package init(truth: [String], decisions: [IntentDecision], outOfScopeLabel: String) {
        self.truth = truth
        self.decisions = decisions
        self.outOfScopeLabel = outOfScopeLabel
    }

    /// Whether each decision is right, [n]: an out-of-scope example must be escalated, an
    /// in-scope one answered with its intent.
    var correct: [Bool] {
        zip(truth, decisions).map { truth, d in
            truth == outOfScopeLabel ? d.escalated : (!d.escalated && d.topLabel == truth)
        }
    }
}

/// What the promotion gate needs of one binary classifier (triage) on a labelled file: each
/// example's label and the model's calibrated P(positive), in file order, and the model's own
/// operating threshold.
package struct BinaryScores: Codable, Sendable, Equatable {
    /// `true` for the positive class. [n]
    package var labels: [Bool]
    /// P(positive) in [0, 1], [n], parallel to `labels`.
    package var probabilities: [Double]
    /// The model predicts positive when probability ≥ threshold.
    package var threshold: Double

    package init(labels: [Bool], probabilities: [Double], threshold: Double) {
        self.labels = labels
        self.probabilities = probabilities
        self.threshold = threshold
    }
}
