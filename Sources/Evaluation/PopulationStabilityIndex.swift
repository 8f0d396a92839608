import Foundation

/// The Population Stability Index between a reference histogram (e.g. the validation scores a
/// model was accepted on) and a production histogram over the same bins.
///
/// With rᵢ and pᵢ the reference and production fractions of bin i,
/// PSI = Σᵢ (pᵢ − rᵢ) · ln(pᵢ / rᵢ), a symmetrised Kullback–Leibler divergence (≥ 0, 0 when the
/// fractions agree). An empty bin on either side would make the logarithm infinite, so a zero
/// fraction is replaced by ε = 1e-4 (a tenth of the smallest fraction a 1,000-example histogram
/// can show) in that bin's term only; the other fractions are not renormalised. A common reading:
/// < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.
package struct PopulationStabilityIndex: Sendable, Equatable {
    /// The fraction that stands in for an empty bin.
    package static let emptyBinFraction = 1e-4

    /// PSI, dimensionless, ≥ 0.
    package let value: Double

    /// - Parameters:
    ///   - reference: counts per bin, [bins].
    ///   - production: counts per bin over the same bins, [bins].
    /// - Throws: `.empty` for no bins; `.lengthMismatch` naming the production counts and both
    ///   lengths; `.invalidArgument` for a negative count or a histogram with no examples.
    package init(reference: [Int], production: [Int]) throws {
        try Validate.histograms(reference: reference, production: production)
        let referenceTotal = Double(reference.reduce(0, +)), productionTotal = Double(production.reduce(0, +))
        let epsilon = Self.emptyBinFraction
        var psi = 0.0
        for (r, p) in zip(reference, production) {
            let rFraction = r == 0 ? epsilon : Double(r) / referenceTotal
            let pFraction = p == 0 ? epsilon : Double(p) / productionTotal
            psi += (pFraction - rFraction) * log(pFraction / rFraction)
        }
        value = psi
    }
}
