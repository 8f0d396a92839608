/// Counts of a binary decision: rows are the truth, columns the prediction.
public struct BinaryConfusionMatrix: Codable, Sendable, Equatable {
    public let truePositives: Int
    public let falsePositives: Int
    public let trueNegatives: Int
    public let falseNegatives: Int

    public init(truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    public var count: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
    /// (TP + TN) / n with its Wilson interval.
    public var accuracy: Proportion { Proportion(count: truePositives + trueNegatives, total: count) }
    /// Sensitivity = recall = true-positive rate, TP / (TP + FN); 0 without positives.
    public var sensitivity: Proportion { Proportion(count: truePositives, total: truePositives + falseNegatives) }
    /// Specificity = true-negative rate, TN / (TN + FP); 0 without negatives.
    public var specificity: Proportion { Proportion(count: trueNegatives, total: trueNegatives + falsePositives) }
    /// Precision = positive predictive value, TP / (TP + FP); 0 when nothing is predicted positive.
    public var precision: Proportion { Proportion(count: truePositives, total: truePositives + falsePositives) }
    /// Negative predictive value, TN / (TN + FN); 0 when nothing is predicted negative.
    package var negativePredictiveValue: Proportion { Proportion(count: trueNegatives, total: trueNegatives + falseNegatives) }
    /// F1 = 2TP / (2TP + FP + FN) (scikit-learn's form); 0 when the denominator is 0.
    public var f1: Double {
        let denominator = 2 * truePositives + falsePositives + falseNegatives
        return denominator == 0 ? 0 : Double(2 * truePositives) / Double(denominator)
    }
}

/// Every threshold metric at one operating point.
public struct OperatingPoint: Codable, Sendable, Equatable {
    /// Predict positive when probability ≥ `threshold`.
    public let threshold: Double
    public let confusion: BinaryConfusionMatrix
    public let accuracy: Proportion
    public let sensitivity: Proportion
    public let specificity: Proportion
    public let precision: Proportion
    package let negativePredictiveValue: Proportion
    public let f1: Double

    init(threshold: Double, confusion: BinaryConfusionMatrix) {
        self.threshold = threshold
        self.confusion = confusion
        accuracy = confusion.accuracy
        sensitivity = confusion.sensitivity
        specificity = confusion.specificity
        precision = confusion.precision
        negativePredictiveValue = confusion.negativePredictiveValue
        f1 = confusion.f1
    }
}

extension BinaryPredictions {
    /// The confusion matrix when predicting positive for `probability ≥ threshold`. O(log n).
    ///
    /// The same counts as scikit-learn's `confusion_matrix(y, p >= threshold)`.
    package func confusionMatrix(threshold: Double) -> BinaryConfusionMatrix {
        // Groups are descending: count the groups whose score is ≥ threshold.
        var low = 0, high = groupScores.count
        while low < high {
            let mid = (low + high) / 2
            if groupScores[mid] >= threshold { low = mid + 1 } else { high = mid }
        }
        let tp = low == 0 ? 0 : cumulativePositives[low - 1]
        let fp = low == 0 ? 0 : cumulativeNegatives[low - 1]
        return BinaryConfusionMatrix(
            truePositives: tp, falsePositives: fp, trueNegatives: negatives - fp, falseNegatives: positives - tp)
    }

    /// Accuracy, sensitivity, specificity, precision (PPV), NPV and F1 at `threshold`
    /// (positive when probability ≥ threshold); proportions carry 95 % Wilson intervals.
    public func operatingPoint(threshold: Double) -> OperatingPoint {
        OperatingPoint(threshold: threshold, confusion: confusionMatrix(threshold: threshold))
    }

    /// The highest threshold whose sensitivity is ≥ `targetSensitivity`, chosen among the
    /// observed probabilities (so it is reproducible on the validation set it was picked on).
    ///
    /// Sensitivity only grows as the threshold falls, so the first distinct probability (from the
    /// top) that reaches the target is the answer; it keeps the most specificity.
    /// - Parameter targetSensitivity: in (0, 1], e.g. 0.95 for a screening tool.
    /// - Throws: `.singleClass` without positive examples, `.invalidArgument` for a bad target.
    public func thresholdForSensitivity(_ targetSensitivity: Double) throws -> OperatingPoint {
        guard targetSensitivity > 0, targetSensitivity <= 1 else {
            throw EvaluationError.invalidArgument(name: "target sensitivity", reason: "\(targetSensitivity) is not in (0, 1]")
        }
        if positives == 0 { throw EvaluationError.singleClass(metric: "threshold for sensitivity", present: "negative") }
        for g in groupScores.indices {
            if Double(cumulativePositives[g]) / Double(positives) >= targetSensitivity {
                return operatingPoint(threshold: groupScores[g])
            }
        }
        // Unreachable: at the lowest score every positive is predicted positive.
        return operatingPoint(threshold: groupScores[groupScores.count - 1])
    }

    /// The observed probability maximising Youden's J = sensitivity + specificity − 1.
    ///
    /// Ties go to the highest such threshold. Candidates are the observed probabilities only (the
    /// "predict nothing" point above the top score, J = 0, is not a candidate).
    /// - Throws: `.singleClass` unless both classes are present.
    public func youdenThreshold() throws -> OperatingPoint {
        try requireBothClasses("Youden's J")
        var best = -Double.infinity, bestThreshold = groupScores[0]
        for g in groupScores.indices {
            let j = Double(cumulativePositives[g]) / Double(positives) - Double(cumulativeNegatives[g]) / Double(negatives)
            if j > best {
                best = j
                bestThreshold = groupScores[g]
            }
        }
        return operatingPoint(threshold: bestThreshold)
    }
}
