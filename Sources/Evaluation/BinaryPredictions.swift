/// Labelled positive-class probabilities of a binary classifier (e.g. pneumonia vs normal),
/// validated once and sorted once.
///
/// Construction checks the inputs and sorts the scores (O(n log n)); every ranking metric
/// (ROC AUC, the ROC curve, DeLong, threshold selection) then walks the distinct-score groups in
/// O(n). Threshold metrics predict positive when `probability ≥ threshold`.
public struct BinaryPredictions: Sendable {
    /// `true` for the positive class.
    public let labels: [Bool]
    /// Positive-class probabilities in [0, 1], parallel to `labels`.
    public let probabilities: [Double]
    /// Number of positive and negative labels.
    public let positives: Int
    let negatives: Int

    /// Distinct probabilities, descending, and how many positives / negatives score at least
    /// each one (cumulative counts: the TP / FP of predicting positive at that threshold).
    let groupScores: [Double]
    let cumulativePositives: [Int]
    let cumulativeNegatives: [Int]

    public var count: Int { labels.count }

    /// - Throws: `EvaluationError.empty`, `.lengthMismatch`, `.nonFinite`, `.probabilityOutOfRange`.
    public init(labels: [Bool], probabilities: [Double]) throws {
        try Validate.nonEmpty(labels.count, "labels")
        try Validate.sameLength(probabilities.count, labels.count, "probabilities")
        try Validate.probabilities(probabilities, "probabilities")
        self.labels = labels
        self.probabilities = probabilities
        var order = Array(0..<labels.count)
        probabilities.withUnsafeBufferPointer { p in
            order.sort { p[$0] > p[$1] }
        }
        var scores = [Double](), pos = [Int](), neg = [Int]()
        var positives = 0
        labels.withUnsafeBufferPointer { y in
            probabilities.withUnsafeBufferPointer { p in
                for i in order {
                    let s = p[i]
                    if scores.last != s {
                        scores.append(s)
                        pos.append(0)
                        neg.append(0)
                    }
                    if y[i] {
                        pos[pos.count - 1] += 1
                        positives += 1
                    } else {
                        neg[neg.count - 1] += 1
                    }
                }
            }
        }
        for g in 1..<max(1, scores.count) {
            pos[g] += pos[g - 1]
            neg[g] += neg[g - 1]
        }
        groupScores = scores
        cumulativePositives = pos
        cumulativeNegatives = neg
        self.positives = positives
        self.negatives = labels.count - positives
    }

    /// Throws `.singleClass` unless both classes are present.
    func requireBothClasses(_ metric: String) throws {
        if positives == 0 { throw EvaluationError.singleClass(metric: metric, present: "negative") }
        if negatives == 0 { throw EvaluationError.singleClass(metric: metric, present: "positive") }
    }
}
