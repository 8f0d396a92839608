import Foundation
import TestSupport
import Testing
@testable import Evaluation

/// The tail functions behind the p-values, against scipy 1.17.1 (`special.gammaincc`, `stats.chi2.sf`,
/// `2·stats.norm.sf(|z|)`, `special.kolmogorov`) on Tests/Fixtures/evaluation/distributions.json,
/// made by tools/fixtures/statistics_golden.py. Tolerance: 1e-12 absolute or 1e-9 relative (the
/// relative bound matters for tails far below 1e-12).
struct DistributionTests {
    struct File: Decodable {
        let gammaincc: [[Double]]
        let chi2_sf: [[Double]]
        let normal_two_sided: [[Double]]
        let kolmogorov: [[Double]]
    }

    static let file = try! Fixtures.json(File.self, "evaluation/distributions.json")

    static func close(_ a: Double, _ b: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = abs(a - b)
        #expect(error <= 1e-12 || error <= 1e-9 * abs(b), "\(what): \(a) vs \(b)", sourceLocation: sourceLocation)
    }

    @Test func regularizedUpperGammaMatchesScipy() {
        #expect(Self.file.gammaincc.count > 100)
        for row in Self.file.gammaincc {
            Self.close(Distributions.regularizedUpperGamma(row[0], row[1]), row[2], "Q(\(row[0]), \(row[1]))")
        }
    }

    @Test func chiSquareSurvivalMatchesScipy() {
        for row in Self.file.chi2_sf {
            let k = Int(row[0])
            Self.close(Distributions.chiSquareSurvival(row[1], degreesOfFreedom: k), row[2], "chi2.sf(\(row[1]), \(k))")
        }
    }

    @Test func normalTwoSidedPValueMatchesScipy() {
        for row in Self.file.normal_two_sided {
            Self.close(Distributions.normalTwoSidedPValue(row[0]), row[1], "2·Φ(−|\(row[0])|)")
        }
    }

    @Test func kolmogorovSurvivalMatchesScipy() {
        for row in Self.file.kolmogorov {
            Self.close(Distributions.kolmogorovSurvival(row[0]), row[1], "Q_KS(\(row[0]))")
        }
    }

    /// Identities that hold whatever the reference says: Q(1, x) = e^(−x), the two Kolmogorov
    /// series agree where they switch, and tails are monotone.
    @Test func closedFormsAndContinuity() {
        for x in [0.0, 0.3, 1.0, 2.5, 30.0] {
            Self.close(Distributions.regularizedUpperGamma(1, x), exp(-x), "Q(1, \(x))")
        }
        Self.close(Distributions.chiSquareSurvival(3.841458820694124, degreesOfFreedom: 1), 0.05, "chi2 1 dof 95 %")
        Self.close(Distributions.normalTwoSidedPValue(ConfidenceInterval.z95), 0.05, "z95")
        let below = Distributions.kolmogorovSurvival(1.18.nextDown), at = Distributions.kolmogorovSurvival(1.18)
        #expect(abs(below - at) < 1e-14)
        var previous = 1.0
        for i in 1...400 {
            let q = Distributions.kolmogorovSurvival(Double(i) / 100)
            #expect(q <= previous && q >= 0)
            previous = q
        }
    }
}
