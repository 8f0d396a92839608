import Foundation
import TestSupport
import Testing
@testable import Evaluation

/// Parity with scikit-learn 1.9.1 (`zero_division=0`) and the numpy references (ECE on max
/// probability, out-of-scope metrics, most confused pairs) on
/// Tests/Fixtures/evaluation/multiclass.json. Tolerance 1e-9 absolute.
struct MulticlassGoldenTests {
    struct Pair: Decodable { let truth, predicted: String; let count: Int }

    struct Expected: Decodable {
        let accuracy, macro_f1, weighted_f1: Double
        let precision, recall, f1: [Double]
        let support: [Int]
        let confusion: [[Int]]
        let most_confused: [Pair]
        let in_scope_accuracy, oos_recall, oos_precision: Double?
        let argmax_accuracy, ece, mce, log_loss: Double?
        let bin_counts: [Int]?
    }

    struct Case: Decodable {
        let name: String
        let classes, truth, predicted: [String]
        let probabilities: [Double]?
        let oos: String?
        let expected: Expected
    }

    struct File: Decodable { let cases: [Case] }

    static let cases: [Case] = try! Fixtures.json(File.self, "evaluation/multiclass.json").cases
    static let tolerance = 1e-9

    static func close(_ a: Double, _ b: Double, _ what: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(a - b) <= tolerance, "\(name) \(what): \(a) vs \(b)", sourceLocation: sourceLocation)
    }

    @Test func fixtureCoversTheRequiredCases() {
        #expect(Self.cases.map(\.name) == ["five_classes", "thirty_classes_oos", "hard_labels"])
        #expect(Self.cases.map(\.classes.count) == [5, 30, 6])
        // Some known classes are never predicted, some never true.
        #expect(Self.cases[1].expected.support.contains(0))
        #expect(Set(Self.cases[1].predicted).count < 30)
    }

    @Test(arguments: cases.map(\.name))
    func hardLabelMetrics(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let m = try MulticlassMetrics(classes: c.classes, truth: c.truth, predicted: c.predicted)
        let e = c.expected
        Self.close(m.accuracy.value, e.accuracy, "accuracy", name)
        Self.close(m.macroF1, e.macro_f1, "macro F1", name)
        Self.close(m.weightedF1, e.weighted_f1, "weighted F1", name)
        let perClass = m.perClass
        #expect(perClass.map(\.label) == c.classes)
        #expect(perClass.map(\.support) == e.support, "\(name) support")
        for (i, metrics) in perClass.enumerated() {
            Self.close(metrics.precision, e.precision[i], "precision[\(metrics.label)]", name)
            Self.close(metrics.recall, e.recall[i], "recall[\(metrics.label)]", name)
            Self.close(metrics.f1, e.f1[i], "f1[\(metrics.label)]", name)
        }
        #expect(m.confusionMatrix == ConfusionMatrix(labels: c.classes, counts: e.confusion), "\(name) confusion")
        #expect(m.mostConfusedPairs(limit: 5) == e.most_confused.map { ConfusedPair(truth: $0.truth, predicted: $0.predicted, count: $0.count) },
                "\(name) most confused")
        if let oosLabel = c.oos {
            let oos = try m.outOfScope(label: oosLabel)
            Self.close(oos.inScopeAccuracy.value, e.in_scope_accuracy!, "in-scope accuracy", name)
            Self.close(oos.outOfScopeRecall.value, e.oos_recall!, "oos recall", name)
            Self.close(oos.outOfScopePrecision.value, e.oos_precision!, "oos precision", name)
        }
    }

    @Test(arguments: cases.filter { $0.probabilities != nil }.map(\.name))
    func probabilityMetrics(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let p = try ClassProbabilities(classes: c.classes, truth: c.truth, probabilities: c.probabilities!)
        let e = c.expected
        #expect(p.predictedIndices.map { c.classes[$0] } == c.predicted, "\(name) argmax")
        Self.close(p.argmaxMetrics.accuracy.value, e.argmax_accuracy!, "argmax accuracy", name)
        let diagram = try p.reliability()
        #expect(diagram.bins.map(\.count) == e.bin_counts!, "\(name) bin counts")
        Self.close(diagram.expectedCalibrationError, e.ece!, "ece", name)
        Self.close(diagram.maximumCalibrationError, e.mce!, "mce", name)
        Self.close(try p.expectedCalibrationError(), e.ece!, "ece shortcut", name)
        Self.close(p.logLoss, e.log_loss!, "log loss", name)
    }
}
