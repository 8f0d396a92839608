/// DeLong's structural components (placement values) of one classifier's ROC AUC, the one
/// implementation behind both the single-AUC interval and the paired two-AUC test.
///
/// With ψ(x, y) = 1 if x > y, ½ if x = y, 0 otherwise, positive i has V₁₀(i) = mean over
/// negatives j of ψ(xᵢ, yⱼ) and negative j has V₀₁(j) = mean over positives i of ψ(xᵢ, yⱼ)
/// (DeLong, DeLong & Clarke-Pearson 1988). Both arrays average to the AUC, and
/// Var(AUC) = s²(V₁₀)/m + s²(V₀₁)/n with sample variances (denominators m − 1, n − 1) over
/// m positives and n negatives.
///
/// The components of a difference of two AUCs over the same examples are the differences of
/// the components example by example, so `first - second` gives the components of
/// AUC₁ − AUC₂ and its `variance` is s²₁ + s²₂ − 2 s₁₂ of the 2 × 2 covariance matrix.
struct DeLongComponents {
    /// V₁₀ of each positive example, in input order: [m].
    let positives: [Double]
    /// V₀₁ of each negative example, in input order: [n].
    let negatives: [Double]
    /// The mean of either array (kept exact from the integer AUC computation).
    let auc: Double

    /// Var(AUC) = s²(V₁₀)/m + s²(V₀₁)/n.
    /// - Precondition: at least 2 positives and 2 negatives.
    var variance: Double {
        precondition(positives.count >= 2 && negatives.count >= 2, "DeLong variance needs ≥ 2 examples per class")
        return Self.sampleVariance(positives, mean: auc) / Double(positives.count)
            + Self.sampleVariance(negatives, mean: auc) / Double(negatives.count)
    }

    /// Σ (v − mean)² / (count − 1).
    private static func sampleVariance(_ values: [Double], mean: Double) -> Double {
        var sum = 0.0
        for v in values { sum += (v - mean) * (v - mean) }
        return sum / Double(values.count - 1)
    }

    /// The components of AUC(lhs) − AUC(rhs) over the same labelled examples.
    /// - Precondition: both come from the same labels (same class counts).
    static func - (lhs: DeLongComponents, rhs: DeLongComponents) -> DeLongComponents {
        precondition(lhs.positives.count == rhs.positives.count && lhs.negatives.count == rhs.negatives.count,
                     "DeLong components of different label vectors")
        return DeLongComponents(
            positives: zip(lhs.positives, rhs.positives).map { $0 - $1 },
            negatives: zip(lhs.negatives, rhs.negatives).map { $0 - $1 },
            auc: lhs.auc - rhs.auc)
    }
}

extension BinaryPredictions {
    /// The DeLong components of this classifier, computed with midranks as in Sun & Xu (2014):
    /// exact ties share one value, so each distinct-score group found at construction gets its
    /// V₁₀ and V₀₁ once (O(groups)), and each example looks its group up (O(n log groups)).
    /// - Throws: `.singleClass` unless both classes are present.
    func deLongComponents() throws -> DeLongComponents {
        let auc = try rocAUC()
        let m = Double(positives), n = Double(negatives)
        var groupV10 = [Double](), groupV01 = [Double]()
        groupV10.reserveCapacity(groupScores.count)
        groupV01.reserveCapacity(groupScores.count)
        var previousTP = 0, previousFP = 0
        for g in groupScores.indices {
            let tp = cumulativePositives[g], fp = cumulativeNegatives[g]
            // Positives here beat the negatives below this score and tie with those at it.
            groupV10.append((Double(negatives - fp) + 0.5 * Double(fp - previousFP)) / n)
            // Negatives here lose to the positives above this score and tie with those at it.
            groupV01.append((Double(previousTP) + 0.5 * Double(tp - previousTP)) / m)
            previousTP = tp
            previousFP = fp
        }
        var v10 = [Double](), v01 = [Double]()
        v10.reserveCapacity(positives)
        v01.reserveCapacity(negatives)
        for (label, score) in zip(labels, probabilities) {
            let g = groupIndex(of: score)
            if label { v10.append(groupV10[g]) } else { v01.append(groupV01[g]) }
        }
        return DeLongComponents(positives: v10, negatives: v01, auc: auc)
    }

    /// The index of `score` in `groupScores` (distinct, descending) by binary search.
    private func groupIndex(of score: Double) -> Int {
        var low = 0, high = groupScores.count - 1
        while low < high {
            let mid = (low + high) / 2
            if groupScores[mid] > score { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
