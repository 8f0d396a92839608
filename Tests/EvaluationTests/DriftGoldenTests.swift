import Foundation
import TestSupport
import Testing
@testable import Evaluation

/// Drift statistics against Tests/Fixtures/evaluation/drift.json, made by
/// tools/fixtures/statistics_golden.py: PSI written out in numpy 2.4.6 (ε = 1e-4 for empty bins),
/// the KS statistic of scipy 1.17.1 `ks_2samp(method="asymp")` with the p-value of the limiting
/// distribution `special.kolmogorov(√(n₁n₂/(n₁+n₂))·D)`, and `chi2_contingency(correction=False)`
/// on the categories seen. Tolerance 1e-12 absolute or 1e-9 relative.
struct DriftGoldenTests {
    struct PSICase: Decodable {
        let name: String
        let reference, production: [Int]
        let expected: Double
    }

    struct KSExpected: Decodable {
        let statistic, p: Double
        /// scipy's own `ks_2samp(method="asymp")` p (finite-n `kstwo`); nil where scipy gives NaN.
        let scipy_asymp_p: Double?
    }

    struct KSCase: Decodable {
        let name: String
        let reference, production: [Double]
        let expected: KSExpected
    }

    struct KSHistogramCase: Decodable {
        let name: String
        let reference, production: [Int]
        let expected: KSExpected
    }

    struct ChiSquareCase: Decodable {
        struct Expected: Decodable { let statistic, p: Double; let dof: Int }
        let name: String
        let reference, production: [Int]
        let expected: Expected
    }

    struct File: Decodable {
        let psi: [PSICase]
        let ks: [KSCase]
        let ks_histograms: [KSHistogramCase]
        let chi2: [ChiSquareCase]
    }

    static let file = try! Fixtures.json(File.self, "evaluation/drift.json")

    static func close(_ a: Double, _ b: Double, _ what: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = abs(a - b)
        #expect(error <= 1e-12 || error <= 1e-9 * abs(b), "\(name) \(what): \(a) vs \(b)", sourceLocation: sourceLocation)
    }

    @Test(arguments: file.psi.map(\.name))
    func populationStabilityIndex(_ name: String) throws {
        let c = Self.file.psi.first { $0.name == name }!
        Self.close(try PopulationStabilityIndex(reference: c.reference, production: c.production).value, c.expected, "psi", name)
    }

    @Test(arguments: file.ks.map(\.name))
    func kolmogorovSmirnov(_ name: String) throws {
        let c = Self.file.ks.first { $0.name == name }!
        let test = try KolmogorovSmirnovTest(reference: c.reference, production: c.production)
        Self.close(test.statistic, c.expected.statistic, "D", name)
        Self.close(test.pValue, c.expected.p, "p", name)
        // The same test with the samples swapped.
        let swapped = try KolmogorovSmirnovTest(reference: c.production, production: c.reference)
        #expect(swapped == test, "\(name) symmetric")
    }

    @Test(arguments: file.ks_histograms.map(\.name))
    func kolmogorovSmirnovOverBins(_ name: String) throws {
        let c = Self.file.ks_histograms.first { $0.name == name }!
        let test = try KolmogorovSmirnovTest(referenceCounts: c.reference, productionCounts: c.production)
        Self.close(test.statistic, c.expected.statistic, "D", name)
        Self.close(test.pValue, c.expected.p, "p", name)
    }

    /// The limiting distribution is not scipy ≥ 1.5's finite-n `kstwo` (see KolmogorovSmirnovTest):
    /// on the fixture's samples (effective n from 0.5 to 857) the two p-values differ by < 0.025.
    @Test func asymptoticPValueStaysNearScipysFiniteNOne() {
        for c in Self.file.ks.map(\.expected) + Self.file.ks_histograms.map(\.expected) {
            guard let scipy = c.scipy_asymp_p else { continue }
            #expect(abs(c.p - scipy) < 0.025, "\(c.p) vs scipy \(scipy)")
        }
    }

    @Test(arguments: file.chi2.map(\.name))
    func chiSquareHomogeneity(_ name: String) throws {
        let c = Self.file.chi2.first { $0.name == name }!
        let test = try ChiSquareHomogeneityTest(reference: c.reference, production: c.production)
        Self.close(test.statistic, c.expected.statistic, "statistic", name)
        #expect(test.degreesOfFreedom == c.expected.dof, "\(name) dof")
        Self.close(test.pValue, c.expected.p, "p", name)
    }
}
