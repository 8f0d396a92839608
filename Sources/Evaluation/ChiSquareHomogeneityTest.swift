/// Pearson's chi-square test of homogeneity for a categorical mix (e.g. predicted intents or
/// labels) in reference vs production: the 2 × k table of counts per category.
///
/// Categories with no examples on either side are dropped first (they carry no information and
/// would divide by a zero expected count), leaving k′. Expected counts Eᵢⱼ = rowᵢ · columnⱼ / N;
/// X² = Σ (Oᵢⱼ − Eᵢⱼ)² / Eᵢⱼ with k′ − 1 degrees of freedom and p = P(χ²_{k′−1} ≥ X²), no
/// continuity correction: scipy `chi2_contingency([reference, production], correction=False)`
/// on the kept columns.
package struct ChiSquareHomogeneityTest: Sendable, Equatable {
    /// X², ≥ 0.
    package let statistic: Double
    /// k′ − 1, k′ the categories seen on at least one side.
    package let degreesOfFreedom: Int
    /// P(χ²_{k′−1} ≥ X²).
    package let pValue: Double

    /// - Parameters:
    ///   - reference: counts per category, [categories].
    ///   - production: counts per category, same order, [categories].
    /// - Throws: `.empty`; `.lengthMismatch` naming the production counts and both lengths;
    ///   `.invalidArgument` for a negative count, a side with no examples, or fewer than two
    ///   categories seen (nothing to compare).
    package init(reference: [Int], production: [Int]) throws {
        try Validate.histograms(reference: reference, production: production)
        let kept = zip(reference, production).filter { $0.0 + $0.1 > 0 }
        guard kept.count >= 2 else {
            throw EvaluationError.invalidArgument(
                name: "categories", reason: "only \(kept.count) category has examples; the test needs 2")
        }
        let referenceTotal = Double(reference.reduce(0, +)), productionTotal = Double(production.reduce(0, +))
        let total = referenceTotal + productionTotal
        var x2 = 0.0
        for (r, p) in kept {
            let column = Double(r + p)
            let expectedReference = referenceTotal * column / total
            let expectedProduction = productionTotal * column / total
            x2 += (Double(r) - expectedReference) * (Double(r) - expectedReference) / expectedReference
            x2 += (Double(p) - expectedProduction) * (Double(p) - expectedProduction) / expectedProduction
        }
        statistic = x2
        degreesOfFreedom = kept.count - 1
        pValue = Distributions.chiSquareSurvival(x2, degreesOfFreedom: degreesOfFreedom)
    }
}
