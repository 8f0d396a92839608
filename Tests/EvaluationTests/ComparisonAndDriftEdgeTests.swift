import Foundation
import Testing
@testable import Evaluation

/// Edge cases of the paired comparisons and drift statistics, and one test per bad input: each
/// gives a typed `EvaluationError` naming the array (and both lengths), never a trap.
struct ComparisonAndDriftEdgeTests {
    static func expectError(
        _ expected: EvaluationError, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        #expect(throws: expected, sourceLocation: sourceLocation) { try body() }
    }

    @Test func mcNemarWithNoDisagreementHasPOne() throws {
        let test = try McNemarTest(firstCorrect: [true, false, true], secondCorrect: [true, false, true])
        #expect(test.onlyFirstCorrect == 0 && test.onlySecondCorrect == 0)
        #expect(test.pValue == 1 && test.statistic == 0 && test.method == .exactBinomial)
    }

    /// Exact binomial by hand: b = 5, c = 0 gives p = 2 / 2⁵.
    @Test func mcNemarExactTailByHand() {
        let test = McNemarTest(onlyFirstCorrect: 5, onlySecondCorrect: 0)
        #expect(test.pValue == 2.0 / 32)
        #expect(McNemarTest(onlyFirstCorrect: 12, onlySecondCorrect: 12).pValue == 1)
        #expect(McNemarTest(onlyFirstCorrect: 12, onlySecondCorrect: 13).method == .chiSquareContinuityCorrected)
    }

    @Test func deLongOfIdenticalModelsIsNoDifference() throws {
        let labels = [true, false, true, false, true, false]
        let scores = [0.9, 0.2, 0.6, 0.7, 0.8, 0.1]
        let test = try DeLongTest(labels: labels, first: scores, second: scores)
        #expect(test.difference == 0 && test.standardError == 0 && test.z == 0 && test.pValue == 1)
        #expect(test.interval.lower == 0 && test.interval.upper == 0)
    }

    /// A perfect and an inverted model: every component differs by the same amount, SE = 0.
    @Test func deLongWithZeroVarianceAndADifference() throws {
        let labels = [true, true, false, false]
        let test = try DeLongTest(labels: labels, first: [0.1, 0.2, 0.8, 0.9], second: [0.9, 0.8, 0.2, 0.1])
        #expect(test.firstAUC == 0 && test.secondAUC == 1 && test.difference == 1)
        #expect(test.standardError == 0 && test.z == .infinity && test.pValue == 0)
    }

    /// Constant scores give AUC ½ for both models.
    @Test func deLongWithConstantScores() throws {
        let labels = [true, false, true, false, false]
        let test = try DeLongTest(labels: labels, first: [0.5, 0.5, 0.5, 0.5, 0.5], second: [0.9, 0.1, 0.3, 0.4, 0.2])
        #expect(test.firstAUC == 0.5 && test.secondAUC == 5.0 / 6)
        #expect(test.standardError > 0 && test.pValue < 1)
    }

    @Test func pairedProportionsOfIdenticalModelsStraddleZero() throws {
        let outcomes = [true, true, false, true, false, true, true, true]
        let d = try PairedProportionDifference(firstSuccess: outcomes, secondSuccess: outcomes)
        #expect(d.difference == 0)
        #expect(d.interval.lower < 0 && d.interval.upper > 0)
        #expect(abs(d.interval.lower + d.interval.upper) < 1e-15)
    }

    @Test func driftOfIdenticalDataIsZero() throws {
        #expect(try PopulationStabilityIndex(reference: [3, 0, 5], production: [6, 0, 10]).value == 0)
        let ks = try KolmogorovSmirnovTest(reference: [1, 2, 3, 3], production: [3, 2, 1, 3])
        #expect(ks.statistic == 0 && ks.pValue == 1)
        let chi = try ChiSquareHomogeneityTest(reference: [4, 0, 6], production: [2, 0, 3])
        #expect(chi.statistic == 0 && chi.degreesOfFreedom == 1 && chi.pValue == 1)
    }

    /// Binned D never exceeds D over the raw values, and equals it when every value has its own bin.
    @Test func kolmogorovSmirnovOverBinsMatchesItsSamples() throws {
        let raw = try KolmogorovSmirnovTest(reference: [0, 1, 1, 2, 4], production: [1, 2, 2, 3])
        let binned = try KolmogorovSmirnovTest(referenceCounts: [1, 2, 1, 0, 1], productionCounts: [0, 1, 2, 1, 0])
        #expect(binned == raw)
    }

    @Test func emptyInputs() {
        Self.expectError(.empty(what: "first model's correctness")) { _ = try McNemarTest(firstCorrect: [], secondCorrect: []) }
        Self.expectError(.empty(what: "labels")) { _ = try DeLongTest(labels: [], first: [], second: []) }
        Self.expectError(.empty(what: "first model's successes")) {
            _ = try PairedProportionDifference(firstSuccess: [], secondSuccess: [])
        }
        Self.expectError(.empty(what: "reference counts")) { _ = try PopulationStabilityIndex(reference: [], production: []) }
        Self.expectError(.empty(what: "production values")) { _ = try KolmogorovSmirnovTest(reference: [1], production: []) }
        Self.expectError(.empty(what: "reference counts")) { _ = try ChiSquareHomogeneityTest(reference: [], production: []) }
    }

    @Test func lengthMismatchesNameBothLengths() {
        Self.expectError(.lengthMismatch(what: "second model's correctness", expected: 3, actual: 2)) {
            _ = try McNemarTest(firstCorrect: [true, true, false], secondCorrect: [true, false])
        }
        Self.expectError(.lengthMismatch(what: "first model's probabilities", expected: 4, actual: 3)) {
            _ = try DeLongTest(labels: [true, false, true, false], first: [0.1, 0.2, 0.3], second: [0.1, 0.2, 0.3, 0.4])
        }
        Self.expectError(.lengthMismatch(what: "second model's probabilities", expected: 4, actual: 5)) {
            _ = try DeLongTest(labels: [true, false, true, false], first: [0.1, 0.2, 0.3, 0.4], second: [0.1, 0.2, 0.3, 0.4, 0.5])
        }
        Self.expectError(.lengthMismatch(what: "second model's successes", expected: 1, actual: 2)) {
            _ = try PairedProportionDifference(firstSuccess: [true], secondSuccess: [true, false])
        }
        Self.expectError(.lengthMismatch(what: "production counts", expected: 3, actual: 2)) {
            _ = try PopulationStabilityIndex(reference: [1, 2, 3], production: [1, 2])
        }
        Self.expectError(.lengthMismatch(what: "production counts", expected: 2, actual: 3)) {
            _ = try KolmogorovSmirnovTest(referenceCounts: [1, 2], productionCounts: [1, 2, 3])
        }
        Self.expectError(.lengthMismatch(what: "production counts", expected: 2, actual: 1)) {
            _ = try ChiSquareHomogeneityTest(reference: [1, 2], production: [1])
        }
        #expect(EvaluationError.lengthMismatch(what: "second model's correctness", expected: 3, actual: 2).description
                    == "second model's correctness has 2 elements, expected 3")
    }

    @Test func deLongNeedsBothClassesAndTwoOfEach() {
        Self.expectError(.singleClass(metric: "DeLong's test", present: "positive")) {
            _ = try DeLongTest(labels: [true, true, true], first: [0.1, 0.2, 0.3], second: [0.3, 0.2, 0.1])
        }
        Self.expectError(.singleClass(metric: "DeLong's test", present: "negative")) {
            _ = try DeLongTest(labels: [false, false], first: [0.1, 0.2], second: [0.3, 0.2])
        }
        Self.expectError(.invalidArgument(name: "data for DeLong's test", reason: "needs at least 2 positive and 2 negative examples")) {
            _ = try DeLongTest(labels: [true, false, false], first: [0.1, 0.2, 0.3], second: [0.3, 0.2, 0.1])
        }
    }

    @Test func badValues() {
        Self.expectError(.nonFinite(what: "second model's probabilities", index: 1)) {
            _ = try DeLongTest(labels: [true, false], first: [0.1, 0.2], second: [0.3, .nan])
        }
        Self.expectError(.probabilityOutOfRange(what: "first model's probabilities", index: 0, value: 1.5)) {
            _ = try DeLongTest(labels: [true, false], first: [1.5, 0.2], second: [0.3, 0.2])
        }
        Self.expectError(.nonFinite(what: "reference values", index: 2)) {
            _ = try KolmogorovSmirnovTest(reference: [1, 2, .infinity], production: [1])
        }
        Self.expectError(.invalidArgument(name: "production counts", reason: "count -1 at index 1 is negative")) {
            _ = try PopulationStabilityIndex(reference: [1, 2], production: [3, -1])
        }
        Self.expectError(.invalidArgument(name: "reference counts", reason: "every count is 0")) {
            _ = try ChiSquareHomogeneityTest(reference: [0, 0], production: [3, 1])
        }
        Self.expectError(.invalidArgument(name: "production counts", reason: "every count is 0")) {
            _ = try KolmogorovSmirnovTest(referenceCounts: [1, 2], productionCounts: [0, 0])
        }
        Self.expectError(.invalidArgument(name: "categories", reason: "only 1 category has examples; the test needs 2")) {
            _ = try ChiSquareHomogeneityTest(reference: [5, 0], production: [3, 0])
        }
    }
}
