import Foundation
import Testing
@testable import Evaluation

/// Reports round-trip through JSON and render readable tables.
struct ReportTests {
    static let binary = try! BinaryPredictions(
        labels: [true, true, true, false, false, false, true, false],
        probabilities: [0.9, 0.8, 0.3, 0.6, 0.2, 0.1, 0.7, 0.4])

    @Test func binaryReportRoundTripsThroughJSON() throws {
        let report = try BinaryReport(Self.binary, threshold: 0.5)
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(BinaryReport.self, from: data) == report)
        #expect(report.auc?.auc == 0.875)
        #expect(report.operatingPoint.confusion == BinaryConfusionMatrix(truePositives: 3, falsePositives: 1, trueNegatives: 3, falseNegatives: 1))
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains("\"method\":\"delong\"") && json.contains("\"method\":\"wilson\""))
    }

    @Test func binaryReportRendersATable() throws {
        let text = try BinaryReport(Self.binary, threshold: 0.5).renderTable()
        for needle in ["ROC AUC", "0.8750", "sensitivity", "0.7500", "3/4", "specificity", "NPV", "Brier score", "ECE (15 bins, P(positive))",
                       "truth \\ predicted"] {
            #expect(text.contains(needle), "missing \(needle) in\n\(text)")
        }
    }

    @Test func binaryReportWithoutEnoughOfAClassStillRenders() throws {
        let report = try BinaryReport(BinaryPredictions(labels: [true, false, false], probabilities: [0.9, 0.2, 0.6]), threshold: 0.5)
        #expect(report.auc == nil)
        #expect(report.aucUnavailableReason?.contains("at least 2 positive") == true)
        #expect(report.renderTable().contains("ROC AUC unavailable"))
        _ = try JSONEncoder().encode(report)
    }

    @Test func multiclassReportRoundTripsAndRenders() throws {
        let classes = ["billing", "oos", "refund"]
        let metrics = try MulticlassMetrics(
            classes: classes, truth: ["billing", "refund", "oos", "refund", "billing"],
            predicted: ["billing", "oos", "oos", "refund", "refund"])
        let probabilities = try ClassProbabilities(
            classes: classes, truth: ["billing", "refund", "oos", "refund", "billing"],
            probabilities: [0.7, 0.2, 0.1, 0.1, 0.6, 0.3, 0.2, 0.5, 0.3, 0.1, 0.1, 0.8, 0.3, 0.2, 0.5])
        let report = try MulticlassReport(metrics, probabilities: probabilities, outOfScopeLabel: "oos")
        #expect(try JSONDecoder().decode(MulticlassReport.self, from: JSONEncoder().encode(report)) == report)
        #expect(report.outOfScope?.inScopeAccuracy == Proportion(count: 2, total: 4))
        #expect(report.outOfScope?.outOfScopeRecall == Proportion(count: 1, total: 1))
        #expect(report.mostConfused.map(\.count) == [1, 1])
        let text = report.renderTable()
        for needle in ["accuracy", "macro F1", "in-scope accuracy", "out-of-scope recall", "ECE (15 bins, max prob.)", "refund",
                       "most confused", "predicted as"] {
            #expect(text.contains(needle), "missing \(needle) in\n\(text)")
        }
    }

    @Test func multiclassReportRejectsMismatchedProbabilities() throws {
        let metrics = try MulticlassMetrics(classes: ["a", "b"], truth: ["a", "b"], predicted: ["a", "a"])
        let other = try ClassProbabilities(classes: ["b", "a"], truth: ["a", "b"], probabilities: [0.5, 0.5, 0.5, 0.5])
        #expect(throws: EvaluationError.invalidArgument(name: "probabilities", reason: "their classes differ from the metrics' classes")) {
            try MulticlassReport(metrics, probabilities: other)
        }
        let short = try ClassProbabilities(classes: ["a", "b"], truth: ["a"], probabilities: [0.5, 0.5])
        #expect(throws: EvaluationError.lengthMismatch(what: "probability rows", expected: 2, actual: 1)) {
            try MulticlassReport(metrics, probabilities: short)
        }
    }
}
