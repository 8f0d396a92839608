import Foundation
import Testing
@testable import Evaluation

/// Every bad input gives a typed `EvaluationError` naming the problem, never a trap.
struct ErrorTests {
    static func expectError(
        _ expected: EvaluationError, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        #expect(throws: expected, sourceLocation: sourceLocation) { try body() }
    }

    @Test func emptyInputs() {
        Self.expectError(.empty(what: "labels")) { _ = try BinaryPredictions(labels: [], probabilities: []) }
        Self.expectError(.empty(what: "true labels")) { _ = try MulticlassMetrics(classes: ["a"], truth: [], predicted: []) }
        Self.expectError(.empty(what: "classes")) { _ = try MulticlassMetrics(classes: [], truth: ["a"], predicted: ["a"]) }
        Self.expectError(.empty(what: "true labels")) { _ = try ClassProbabilities(classes: ["a", "b"], truth: [], probabilities: []) }
        Self.expectError(.empty(what: "confidences")) { _ = try ReliabilityDiagram(confidences: [], outcomes: []) }
        Self.expectError(.empty(what: "labels")) { _ = try TemperatureScaling.fit(logits: [], classCount: 3, labels: []) }
        Self.expectError(.empty(what: "labels")) { _ = try TemperatureScaling.fitBinary(logits: [], labels: []) }
    }

    @Test func lengthMismatches() {
        Self.expectError(.lengthMismatch(what: "probabilities", expected: 2, actual: 1)) {
            _ = try BinaryPredictions(labels: [true, false], probabilities: [0.5])
        }
        Self.expectError(.lengthMismatch(what: "predicted labels", expected: 2, actual: 3)) {
            _ = try MulticlassMetrics(classes: ["a", "b"], truth: ["a", "b"], predicted: ["a", "b", "a"])
        }
        Self.expectError(.lengthMismatch(what: "probabilities", expected: 4, actual: 3)) {
            _ = try ClassProbabilities(classes: ["a", "b"], truth: ["a", "b"], probabilities: [1, 0, 0.5])
        }
        Self.expectError(.lengthMismatch(what: "outcomes", expected: 2, actual: 1)) {
            _ = try ReliabilityDiagram(confidences: [0.1, 0.2], outcomes: [true])
        }
        Self.expectError(.lengthMismatch(what: "logits", expected: 6, actual: 5)) {
            _ = try TemperatureScaling.fit(logits: [1, 2, 3, 4, 5], classCount: 3, labels: [0, 1])
        }
        Self.expectError(.lengthMismatch(what: "logits", expected: 3, actual: 2)) {
            _ = try TemperatureScaling.fitBinary(logits: [1, 2], labels: [true, false, true])
        }
    }

    @Test func labelsOutsideTheKnownSet() {
        Self.expectError(.unknownLabel(label: "refund", index: 1)) {
            _ = try MulticlassMetrics(classes: ["billing", "oos"], truth: ["billing", "refund"], predicted: ["billing", "oos"])
        }
        Self.expectError(.unknownLabel(label: "x", index: 0)) {
            _ = try MulticlassMetrics(classes: ["billing", "oos"], truth: ["billing"], predicted: ["x"])
        }
        Self.expectError(.unknownLabel(label: "c", index: 0)) {
            _ = try ClassProbabilities(classes: ["a", "b"], truth: ["c"], probabilities: [0.5, 0.5])
        }
        Self.expectError(.classIndexOutOfRange(index: 1, value: 2, classCount: 2)) {
            _ = try MulticlassMetrics(classes: ["a", "b"], truthIndices: [0, 2], predictedIndices: [0, 1])
        }
        Self.expectError(.classIndexOutOfRange(index: 0, value: -1, classCount: 2)) {
            _ = try ClassProbabilities(classes: ["a", "b"], truthIndices: [-1], probabilities: [0.5, 0.5])
        }
        Self.expectError(.classIndexOutOfRange(index: 1, value: 3, classCount: 3)) {
            _ = try TemperatureScaling.fit(logits: [1, 2, 3, 1, 2, 3], classCount: 3, labels: [0, 3])
        }
        Self.expectError(.invalidArgument(name: "classes", reason: "\"a\" appears twice")) {
            _ = try MulticlassMetrics(classes: ["a", "b", "a"], truth: ["a"], predicted: ["a"])
        }
        Self.expectError(.invalidArgument(name: "out-of-scope label", reason: "\"oos\" is not one of the known classes")) {
            _ = try MulticlassMetrics(classes: ["a", "b"], truth: ["a"], predicted: ["b"]).outOfScope(label: "oos")
        }
    }

    @Test func nonFiniteAndOutOfRangeValues() {
        Self.expectError(.nonFinite(what: "probabilities", index: 1)) {
            _ = try BinaryPredictions(labels: [true, false], probabilities: [0.5, .nan])
        }
        Self.expectError(.nonFinite(what: "probabilities", index: 0)) {
            _ = try BinaryPredictions(labels: [true], probabilities: [.infinity])
        }
        Self.expectError(.probabilityOutOfRange(what: "probabilities", index: 1, value: 1.5)) {
            _ = try BinaryPredictions(labels: [true, false], probabilities: [0.5, 1.5])
        }
        Self.expectError(.probabilityOutOfRange(what: "probabilities", index: 0, value: -0.1)) {
            _ = try ClassProbabilities(classes: ["a", "b"], truth: ["a"], probabilities: [-0.1, 1.1])
        }
        Self.expectError(.nonFinite(what: "confidences", index: 0)) {
            _ = try ReliabilityDiagram(confidences: [.nan], outcomes: [true])
        }
        Self.expectError(.nonFinite(what: "logits", index: 2)) {
            _ = try TemperatureScaling.fit(logits: [1, 2, -.infinity, 0], classCount: 2, labels: [0, 1])
        }
        Self.expectError(.nonFinite(what: "logits", index: 0)) {
            _ = try TemperatureScaling.fitBinary(logits: [.nan], labels: [true])
        }
    }

    @Test func singleClassWhereTwoAreNeeded() throws {
        let onlyPositive = try BinaryPredictions(labels: [true, true], probabilities: [0.2, 0.9])
        let onlyNegative = try BinaryPredictions(labels: [false, false], probabilities: [0.2, 0.9])
        Self.expectError(.singleClass(metric: "ROC AUC", present: "positive")) { _ = try onlyPositive.rocAUC() }
        Self.expectError(.singleClass(metric: "ROC AUC", present: "negative")) { _ = try onlyNegative.rocAUC() }
        Self.expectError(.singleClass(metric: "ROC curve", present: "positive")) { _ = try onlyPositive.rocCurve() }
        Self.expectError(.singleClass(metric: "ROC AUC interval", present: "negative")) { _ = try onlyNegative.rocAUCWithDeLongInterval() }
        Self.expectError(.singleClass(metric: "Youden's J", present: "positive")) { _ = try onlyPositive.youdenThreshold() }
        Self.expectError(.singleClass(metric: "threshold for sensitivity", present: "negative")) {
            _ = try onlyNegative.thresholdForSensitivity(0.95)
        }
        // Only positives is enough to pick a sensitivity threshold.
        #expect(try onlyPositive.thresholdForSensitivity(0.5).threshold == 0.9)
        // Metrics that do not need both classes still work.
        #expect(onlyPositive.operatingPoint(threshold: 0.5).sensitivity.value == 0.5)
        #expect(onlyPositive.operatingPoint(threshold: 0.5).specificity == Proportion(count: 0, total: 0))
    }

    @Test func badParameters() throws {
        let p = try BinaryPredictions(labels: [true, false, true], probabilities: [0.9, 0.1, 0.4])
        Self.expectError(.invalidArgument(name: "target sensitivity", reason: "0.0 is not in (0, 1]")) {
            _ = try p.thresholdForSensitivity(0)
        }
        Self.expectError(.invalidArgument(name: "target sensitivity", reason: "1.5 is not in (0, 1]")) {
            _ = try p.thresholdForSensitivity(1.5)
        }
        Self.expectError(.invalidArgument(name: "bin count", reason: "0 is not ≥ 1")) { _ = try p.reliability(binCount: 0) }
        Self.expectError(.invalidArgument(name: "data for the DeLong interval", reason: "needs at least 2 positive and 2 negative examples")) {
            _ = try p.rocAUCWithDeLongInterval()
        }
        Self.expectError(.invalidArgument(name: "class count", reason: "1 is not ≥ 2")) {
            _ = try TemperatureScaling.fit(logits: [1], classCount: 1, labels: [0])
        }
        Self.expectError(.invalidArgument(name: "temperature", reason: "0.0 is not a positive finite number")) {
            _ = try TemperatureScaling.sigmoid(logits: [1], temperature: 0)
        }
        Self.expectError(.lengthMismatch(what: "logits", expected: 3, actual: 4)) {
            _ = try TemperatureScaling.softmax(logits: [1, 2, 3, 4], classCount: 3)
        }
    }

    @Test func messagesAreCompleteSentences() {
        #expect(EvaluationError.unknownLabel(label: "refund", index: 3).description
            == "label \"refund\" at index 3 is not one of the known classes")
        #expect(EvaluationError.singleClass(metric: "ROC AUC", present: "positive").description
            == "ROC AUC needs both classes, but only positive examples are present")
        #expect(EvaluationError.lengthMismatch(what: "probabilities", expected: 4, actual: 3).description
            == "probabilities has 3 elements, expected 4")
        #expect(EvaluationError.nonFinite(what: "logits", index: 2).description == "logits at index 2 is not a finite number")
        #expect(EvaluationError.empty(what: "labels").description == "labels is empty")
    }
}
