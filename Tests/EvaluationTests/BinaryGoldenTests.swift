import Foundation
import TestSupport
import Testing
@testable import Evaluation

/// Parity with scikit-learn 1.9.1 (and the numpy references for ECE, Wilson, DeLong, threshold
/// selection) on Tests/Fixtures/evaluation/binary.json, made by tools/fixtures/evaluation_golden.py.
/// Tolerance 1e-9 absolute for every value (they are closed-form).
struct BinaryGoldenTests {
    struct Case: Decodable {
        let name: String
        let labels: [Int]
        let probabilities: [Double]
        let threshold: Double
        let expected: Expected
    }

    struct Confusion: Decodable { let tn, fp, fn, tp: Int }

    struct DeLong: Decodable { let auc, se, lower, upper: Double }

    struct Expected: Decodable {
        let auc: Double
        let roc_fpr, roc_tpr, roc_thresholds: [Double]
        let confusion: Confusion
        let accuracy, sensitivity, specificity, precision, npv, f1, brier, log_loss, ece, mce: Double
        let bin_counts: [Int]
        let accuracy_ci, sensitivity_ci, specificity_ci: [Double]
        let delong: DeLong
        let threshold_sensitivity_95, youden_threshold: Double
    }

    struct File: Decodable { let cases: [Case] }

    static let cases: [Case] = try! Fixtures.json(File.self, "evaluation/binary.json").cases
    static let tolerance = 1e-9

    static func close(_ a: Double, _ b: Double, _ what: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(a - b) <= tolerance, "\(name) \(what): \(a) vs \(b)", sourceLocation: sourceLocation)
    }

    static func predictions(_ c: Case) throws -> BinaryPredictions {
        try BinaryPredictions(labels: c.labels.map { $0 == 1 }, probabilities: c.probabilities)
    }

    @Test func fixtureCoversTheRequiredCases() {
        #expect(Self.cases.map(\.name) == ["no_ties", "ties", "imbalanced", "perfect", "inverted", "bin_edges"])
    }

    @Test(arguments: cases.map(\.name))
    func rankingMetrics(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let p = try Self.predictions(c)
        Self.close(try p.rocAUC(), c.expected.auc, "auc", name)
        let curve = try p.rocCurve()
        #expect(curve.count == c.expected.roc_fpr.count, "\(name) roc points")
        #expect(curve.first?.threshold == nil)
        for (i, point) in curve.enumerated() where i < c.expected.roc_fpr.count {
            Self.close(point.falsePositiveRate, c.expected.roc_fpr[i], "fpr[\(i)]", name)
            Self.close(point.truePositiveRate, c.expected.roc_tpr[i], "tpr[\(i)]", name)
        }
        #expect(curve.dropFirst().map { $0.threshold! } == c.expected.roc_thresholds, "\(name) thresholds")
        let delong = try p.rocAUCWithDeLongInterval()
        Self.close(delong.auc, c.expected.delong.auc, "delong auc", name)
        Self.close(delong.standardError, c.expected.delong.se, "delong se", name)
        Self.close(delong.interval.lower, c.expected.delong.lower, "delong lower", name)
        Self.close(delong.interval.upper, c.expected.delong.upper, "delong upper", name)
        #expect(delong.interval.method == "delong")
        #expect(try p.thresholdForSensitivity(0.95).threshold == c.expected.threshold_sensitivity_95, "\(name) sens≥0.95")
        #expect(try p.thresholdForSensitivity(0.95).sensitivity.value >= 0.95)
        #expect(try p.youdenThreshold().threshold == c.expected.youden_threshold, "\(name) youden")
    }

    @Test(arguments: cases.map(\.name))
    func thresholdMetrics(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let point = try Self.predictions(c).operatingPoint(threshold: c.threshold)
        let e = c.expected
        #expect(point.confusion == BinaryConfusionMatrix(
            truePositives: e.confusion.tp, falsePositives: e.confusion.fp,
            trueNegatives: e.confusion.tn, falseNegatives: e.confusion.fn), "\(name) confusion")
        Self.close(point.accuracy.value, e.accuracy, "accuracy", name)
        Self.close(point.sensitivity.value, e.sensitivity, "sensitivity", name)
        Self.close(point.specificity.value, e.specificity, "specificity", name)
        Self.close(point.precision.value, e.precision, "precision", name)
        Self.close(point.negativePredictiveValue.value, e.npv, "npv", name)
        Self.close(point.f1, e.f1, "f1", name)
        for (proportion, ci, what) in [(point.accuracy, e.accuracy_ci, "accuracy"), (point.sensitivity, e.sensitivity_ci, "sensitivity"),
                                       (point.specificity, e.specificity_ci, "specificity")] {
            Self.close(proportion.interval.lower, ci[0], "\(what) wilson lower", name)
            Self.close(proportion.interval.upper, ci[1], "\(what) wilson upper", name)
            #expect(proportion.interval.method == "wilson")
        }
    }

    @Test(arguments: cases.map(\.name))
    func probabilityMetrics(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let p = try Self.predictions(c)
        Self.close(p.brierScore, c.expected.brier, "brier", name)
        Self.close(p.logLoss, c.expected.log_loss, "log loss", name)
        let diagram = try p.reliability()
        #expect(diagram.bins.count == 15)
        #expect(diagram.bins.map(\.count) == c.expected.bin_counts, "\(name) bin counts")
        Self.close(diagram.expectedCalibrationError, c.expected.ece, "ece", name)
        Self.close(diagram.maximumCalibrationError, c.expected.mce, "mce", name)
        Self.close(try p.expectedCalibrationError(), c.expected.ece, "ece shortcut", name)
    }
}
