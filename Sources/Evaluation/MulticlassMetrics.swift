/// Precision, recall, F1 and support of one class.
public struct ClassMetrics: Codable, Sendable, Equatable {
    public let label: String
    /// TP / predicted as this class; 0 when never predicted (scikit-learn `zero_division=0`).
    public let precision: Double
    /// TP / support; 0 when the class never occurs.
    package let recall: Double
    /// 2TP / (2TP + FP + FN); 0 when the denominator is 0.
    public let f1: Double
    /// How many examples truly have this class.
    package let support: Int
}

/// A square count matrix over ordered string labels: `counts[t][p]` examples of true class
/// `labels[t]` were predicted as `labels[p]`.
package struct ConfusionMatrix: Codable, Sendable, Equatable {
    package let labels: [String]
    package let counts: [[Int]]
}

/// One off-diagonal cell of a confusion matrix.
package struct ConfusedPair: Codable, Sendable, Equatable {
    package let truth: String
    package let predicted: String
    package let count: Int
}

/// Hard-label metrics of a multiclass classifier (intent classification), computed from one
/// confusion matrix built in O(n).
///
/// Labels are strings from a known, ordered class set; the order fixes the confusion matrix rows
/// and columns and the per-class list.
public struct MulticlassMetrics: Sendable {
    /// The known classes, in the caller's order.
    public let classes: [String]
    /// `confusion[t * classes.count + p]`: rows truth, columns prediction.
    let confusion: [Int]
    let lookup: [String: Int]
    public let count: Int

    /// - Parameters:
    ///   - classes: every label that may occur, ordered, without duplicates.
    ///   - truth: true labels.
    ///   - predicted: predicted labels, parallel to `truth`.
    /// - Throws: `.empty`, `.lengthMismatch`, `.unknownLabel`, `.invalidArgument` (duplicate class).
    public init(classes: [String], truth: [String], predicted: [String]) throws {
        let lookup = try Validate.classLookup(classes)
        try Validate.nonEmpty(truth.count, "true labels")
        try Validate.sameLength(predicted.count, truth.count, "predicted labels")
        let t = try Validate.indices(of: truth, in: lookup, "true labels")
        let p = try Validate.indices(of: predicted, in: lookup, "predicted labels")
        try self.init(classes: classes, lookup: lookup, truthIndices: t, predictedIndices: p)
    }

    /// The same from class indices into `classes`.
    /// - Throws: as above, `.classIndexOutOfRange` for an index outside `0..<classes.count`.
    public init(classes: [String], truthIndices: [Int], predictedIndices: [Int]) throws {
        let lookup = try Validate.classLookup(classes)
        try self.init(classes: classes, lookup: lookup, truthIndices: truthIndices, predictedIndices: predictedIndices)
    }

    init(classes: [String], lookup: [String: Int], truthIndices: [Int], predictedIndices: [Int]) throws {
        try Validate.nonEmpty(truthIndices.count, "true labels")
        try Validate.sameLength(predictedIndices.count, truthIndices.count, "predicted labels")
        let k = classes.count
        var confusion = [Int](repeating: 0, count: k * k)
        for i in truthIndices.indices {
            let t = truthIndices[i], p = predictedIndices[i]
            guard t >= 0, t < k else { throw EvaluationError.classIndexOutOfRange(index: i, value: t, classCount: k) }
            guard p >= 0, p < k else { throw EvaluationError.classIndexOutOfRange(index: i, value: p, classCount: k) }
            confusion[t * k + p] += 1
        }
        self.classes = classes
        self.lookup = lookup
        self.confusion = confusion
        self.count = truthIndices.count
    }

    /// Fraction of exact matches, with its Wilson interval.
    public var accuracy: Proportion {
        let k = classes.count
        var correct = 0
        for c in 0..<k { correct += confusion[c * k + c] }
        return Proportion(count: correct, total: count)
    }

    /// The confusion matrix with rows and columns in `classes` order
    /// (scikit-learn's `confusion_matrix(y, p, labels=classes)`).
    package var confusionMatrix: ConfusionMatrix {
        let k = classes.count
        return ConfusionMatrix(labels: classes, counts: (0..<k).map { t in Array(confusion[(t * k)..<(t * k + k)]) })
    }

    /// Per-class precision, recall, F1 and support for every known class, in `classes` order
    /// (scikit-learn's `precision_recall_fscore_support(labels=classes, zero_division=0)`).
    public var perClass: [ClassMetrics] {
        let k = classes.count
        let (support, predicted) = tallies()
        return (0..<k).map { c in
            let tp = confusion[c * k + c]
            let fp = predicted[c] - tp, fn = support[c] - tp
            return ClassMetrics(
                label: classes[c],
                precision: predicted[c] == 0 ? 0 : Double(tp) / Double(predicted[c]),
                recall: support[c] == 0 ? 0 : Double(tp) / Double(support[c]),
                f1: 2 * tp + fp + fn == 0 ? 0 : Double(2 * tp) / Double(2 * tp + fp + fn),
                support: support[c])
        }
    }

    /// Row sums (support) and column sums (prediction counts) of the confusion matrix.
    func tallies() -> (support: [Int], predicted: [Int]) {
        let k = classes.count
        var support = [Int](repeating: 0, count: k), predicted = [Int](repeating: 0, count: k)
        for t in 0..<k {
            for p in 0..<k {
                support[t] += confusion[t * k + p]
                predicted[p] += confusion[t * k + p]
            }
        }
        return (support, predicted)
    }

    /// Unweighted mean F1 over the classes that occur in the truth or the predictions — classes
    /// absent from both are left out, as scikit-learn's `f1_score(average="macro",
    /// zero_division=0)` does without `labels=`. A class that is predicted but never true counts
    /// with F1 0.
    public var macroF1: Double {
        let (support, predicted) = tallies()
        let metrics = perClass
        var sum = 0.0, used = 0
        for c in metrics.indices where support[c] > 0 || predicted[c] > 0 {
            sum += metrics[c].f1
            used += 1
        }
        return used == 0 ? 0 : sum / Double(used)
    }

    /// Support-weighted mean F1 (scikit-learn's `f1_score(average="weighted", zero_division=0)`).
    package var weightedF1: Double {
        var sum = 0.0, total = 0
        for metrics in perClass {
            sum += metrics.f1 * Double(metrics.support)
            total += metrics.support
        }
        return total == 0 ? 0 : sum / Double(total)
    }

    /// The `limit` largest off-diagonal cells, largest first; equal counts keep `classes` order
    /// (by true class, then predicted class). Zero cells are never listed.
    package func mostConfusedPairs(limit: Int = 10) -> [ConfusedPair] {
        let k = classes.count
        var cells = [(index: Int, count: Int)]()
        for t in 0..<k {
            for p in 0..<k where p != t && confusion[t * k + p] > 0 {
                cells.append((t * k + p, confusion[t * k + p]))
            }
        }
        cells.sort { $0.count != $1.count ? $0.count > $1.count : $0.index < $1.index }
        return cells.prefix(Swift.max(0, limit)).map {
            ConfusedPair(truth: classes[$0.index / k], predicted: classes[$0.index % k], count: $0.count)
        }
    }
}
