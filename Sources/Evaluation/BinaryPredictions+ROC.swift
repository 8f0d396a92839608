/// One point of a ROC curve.
public struct ROCPoint: Codable, Sendable, Equatable {
    /// False-positive rate, FP / negatives.
    package let falsePositiveRate: Double
    /// True-positive rate (sensitivity), TP / positives.
    package let truePositiveRate: Double
    /// Predict positive when probability ≥ threshold; `nil` for the starting point (0, 0), which
    /// predicts nothing positive (scikit-learn writes `inf` there).
    public let threshold: Double?
}

/// ROC AUC with its DeLong standard error and 95 % interval.
public struct AUCEstimate: Codable, Sendable, Equatable {
    public let auc: Double
    /// √Var from DeLong et al. (1988).
    let standardError: Double
    public let interval: ConfidenceInterval
}

extension BinaryPredictions {
    /// Area under the ROC curve, equal to scikit-learn's `roc_auc_score`.
    ///
    /// Tied scores count one half (the trapezoid over a tie group), so AUC = P(score⁺ > score⁻) +
    /// ½ P(score⁺ = score⁻), the Mann–Whitney U statistic over positives × negatives. Uses the
    /// sort done at construction, then O(distinct scores) integer arithmetic.
    /// - Throws: `.singleClass` unless both classes are present.
    public func rocAUC() throws -> Double {
        try requireBothClasses("ROC AUC")
        // 2 × area in units of (1 negative × 1 positive), exact in integers.
        var twiceArea = 0
        var previousTP = 0, previousFP = 0
        for g in groupScores.indices {
            let tp = cumulativePositives[g], fp = cumulativeNegatives[g]
            twiceArea += (fp - previousFP) * (tp + previousTP)
            previousTP = tp
            previousFP = fp
        }
        return Double(twiceArea) / (2 * Double(positives) * Double(negatives))
    }

    /// The ROC curve: the starting point (0, 0) and one point per distinct probability, by
    /// decreasing threshold — scikit-learn's `roc_curve(..., drop_intermediate=False)`.
    /// - Throws: `.singleClass` unless both classes are present.
    package func rocCurve() throws -> [ROCPoint] {
        try requireBothClasses("ROC curve")
        var points = [ROCPoint(falsePositiveRate: 0, truePositiveRate: 0, threshold: nil)]
        points.reserveCapacity(groupScores.count + 1)
        for g in groupScores.indices {
            points.append(ROCPoint(
                falsePositiveRate: Double(cumulativeNegatives[g]) / Double(negatives),
                truePositiveRate: Double(cumulativePositives[g]) / Double(positives),
                threshold: groupScores[g]))
        }
        return points
    }

    /// ROC AUC with DeLong's variance and a 95 % (or `z`) normal interval, clipped to [0, 1].
    ///
    /// Var(AUC) = s²(V₁₀)/m + s²(V₀₁)/n from the structural components of `DeLongComponents`
    /// (DeLong, DeLong & Clarke-Pearson 1988, computed with midranks as in Sun & Xu 2014).
    /// Interval: AUC ± z·√Var.
    /// - Throws: `.singleClass` unless both classes are present; `.invalidArgument` with fewer than
    ///   two examples of a class (the variance cannot be estimated).
    public func rocAUCWithDeLongInterval(z: Double = ConfidenceInterval.z95) throws -> AUCEstimate {
        try requireBothClasses("ROC AUC interval")
        try requireTwoPerClass("the DeLong interval")
        let components = try deLongComponents()
        let auc = components.auc
        let se = components.variance.squareRoot()
        return AUCEstimate(
            auc: auc, standardError: se,
            interval: ConfidenceInterval(lower: max(0, auc - z * se), upper: min(1, auc + z * se), method: "delong"))
    }

    /// Throws `.invalidArgument` unless there are ≥ 2 positive and ≥ 2 negative examples, the
    /// least DeLong's sample variances need.
    func requireTwoPerClass(_ purpose: String) throws {
        guard positives >= 2, negatives >= 2 else {
            throw EvaluationError.invalidArgument(
                name: "data for \(purpose)", reason: "needs at least 2 positive and 2 negative examples")
        }
    }
}
