/// The two-sample Kolmogorov–Smirnov test: do reference and production values (e.g. a model's
/// scores on its validation set and in production) come from the same continuous distribution?
///
/// D = sup_x |F_ref(x) − F_prod(x)| over the two empirical CDFs (scipy `ks_2samp`'s statistic,
/// two-sided). The p-value is asymptotic, from the limiting Kolmogorov distribution:
/// p = Q_KS(√(n₁n₂/(n₁ + n₂)) · D) (scipy `special.kolmogorov`, the `kstwobign` survival function,
/// which `ks_2samp(method="asymp")` used up to scipy 1.4). Since scipy 1.5, `ks_2samp(method="asymp")`
/// instead evaluates the finite-n one-sample distribution `kstwo.sf(D, round(n₁n₂/(n₁ + n₂)))`;
/// the two differ by O(1/√(effective n)) (less than 0.025 in p on the golden cases, down to 85
/// effective examples), and the limit is Smirnov's large-sample test, the drift monitor's case.
///
/// Histograms over the same bin edges are accepted too: D is then taken at the bin edges only,
/// which equals the KS statistic of the samples with every value replaced by its bin, and the
/// sample sizes are the histogram totals. D over bins is ≤ D over the raw values.
package struct KolmogorovSmirnovTest: Sendable, Equatable {
    /// D in [0, 1].
    package let statistic: Double
    /// Asymptotic two-sided p-value, Q_KS(√(n₁n₂/(n₁ + n₂)) · D).
    package let pValue: Double

    /// - Parameters:
    ///   - reference: values, any order, [n₁].
    ///   - production: values, any order, [n₂].
    /// - Throws: `.empty` naming the empty sample; `.nonFinite`.
    package init(reference: [Double], production: [Double]) throws {
        try Validate.nonEmpty(reference.count, "reference values")
        try Validate.nonEmpty(production.count, "production values")
        try Validate.finite(reference, "reference values")
        try Validate.finite(production, "production values")
        let x = reference.sorted(), y = production.sorted()
        let n1 = Double(x.count), n2 = Double(y.count)
        // Walk the merged distinct values; after each, i and j count the values ≤ it.
        var i = 0, j = 0, d = 0.0
        while i < x.count || j < y.count {
            let v = j == y.count || (i < x.count && x[i] <= y[j]) ? x[i] : y[j]
            while i < x.count && x[i] == v { i += 1 }
            while j < y.count && y[j] == v { j += 1 }
            d = max(d, abs(Double(i) / n1 - Double(j) / n2))
        }
        self.init(statistic: d, n1: x.count, n2: y.count)
    }

    /// - Parameters:
    ///   - referenceCounts: reference counts per bin, [bins].
    ///   - productionCounts: production counts over the same bins, [bins].
    /// - Throws: `.empty`; `.lengthMismatch` naming the production counts and both lengths;
    ///   `.invalidArgument` for a negative count or a histogram with no examples.
    package init(referenceCounts: [Int], productionCounts: [Int]) throws {
        try Validate.histograms(reference: referenceCounts, production: productionCounts)
        let n1 = referenceCounts.reduce(0, +), n2 = productionCounts.reduce(0, +)
        var cumulative1 = 0, cumulative2 = 0, d = 0.0
        for (r, p) in zip(referenceCounts, productionCounts) {
            cumulative1 += r
            cumulative2 += p
            d = max(d, abs(Double(cumulative1) / Double(n1) - Double(cumulative2) / Double(n2)))
        }
        self.init(statistic: d, n1: n1, n2: n2)
    }

    private init(statistic: Double, n1: Int, n2: Int) {
        self.statistic = statistic
        let effective = Double(n1) * Double(n2) / (Double(n1) + Double(n2))
        pValue = Distributions.kolmogorovSurvival(effective.squareRoot() * statistic)
    }
}
