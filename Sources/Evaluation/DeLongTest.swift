/// DeLong's test for two correlated ROC AUCs: two classifiers scored on the same labelled
/// examples (e.g. the active model and a candidate on one evaluation set).
///
/// With the structural components of each model (`DeLongComponents`, fast midrank algorithm of
/// Sun & Xu 2014), the difference Δ = AUC₂ − AUC₁ has components V₂ − V₁ example by example, so
/// Var(Δ) = s²(V₁₀,₂ − V₁₀,₁)/m + s²(V₀₁,₂ − V₀₁,₁)/n — the contrast (−1, 1) of DeLong's 2 × 2
/// covariance matrix. z = Δ / SE, the p-value is two-sided normal (P(|Z| ≥ |z|)), and the interval
/// is Δ ± z₉₅·SE clipped to [−1, 1]. Equal to MLstatkit's `Delong_test(true, prob_A, prob_B)`
/// (which also signs z as B − A) whenever its variance is positive.
///
/// When SE = 0 (both models rank every positive–negative pair the same way up to ties, e.g.
/// identical scores) the normal approximation is undefined: z = 0 and p = 1 if Δ = 0, otherwise
/// z = ±∞ and p = 0; the interval is then the point Δ.
package struct DeLongTest: Sendable, Equatable {
    /// AUC of the first (e.g. active) and the second (e.g. candidate) model.
    package let firstAUC: Double
    package let secondAUC: Double
    /// secondAUC − firstAUC.
    package let difference: Double
    /// √Var(difference).
    package let standardError: Double
    /// difference / standardError.
    package let z: Double
    /// Two-sided: P(|Z| ≥ |z|) under equal AUCs.
    package let pValue: Double
    /// 95 % normal interval of `difference`, method `"delong"`.
    package let interval: ConfidenceInterval

    /// - Parameters:
    ///   - labels: `true` for the positive class, [n].
    ///   - first: the first model's positive-class probabilities in [0, 1], [n].
    ///   - second: the second model's, [n], same examples in the same order.
    /// - Throws: `.empty`; `.lengthMismatch` naming the array and both lengths; `.nonFinite`,
    ///   `.probabilityOutOfRange`; `.singleClass` when one class is absent; `.invalidArgument`
    ///   with fewer than 2 examples of a class.
    package init(labels: [Bool], first: [Double], second: [Double]) throws {
        try Validate.nonEmpty(labels.count, "labels")
        try Validate.sameLength(first.count, labels.count, "first model's probabilities")
        try Validate.sameLength(second.count, labels.count, "second model's probabilities")
        try Validate.probabilities(first, "first model's probabilities")
        try Validate.probabilities(second, "second model's probabilities")
        let a = try BinaryPredictions(labels: labels, probabilities: first)
        let b = try BinaryPredictions(labels: labels, probabilities: second)
        try a.requireBothClasses("DeLong's test")
        try a.requireTwoPerClass("DeLong's test")
        let componentsA = try a.deLongComponents(), componentsB = try b.deLongComponents()
        let delta = componentsB - componentsA
        let se = delta.variance.squareRoot()
        firstAUC = componentsA.auc
        secondAUC = componentsB.auc
        difference = delta.auc
        standardError = se
        if se > 0 {
            z = difference / se
            pValue = Distributions.normalTwoSidedPValue(z)
        } else {
            z = difference == 0 ? 0 : (difference > 0 ? .infinity : -.infinity)
            pValue = difference == 0 ? 1 : 0
        }
        let half = ConfidenceInterval.z95 * se
        interval = ConfidenceInterval(
            lower: max(-1, difference - half), upper: min(1, difference + half), method: "delong")
    }
}
