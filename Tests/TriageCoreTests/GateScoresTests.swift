import Evaluation
import Foundation
import TestSupport
import Testing
import TriageTestSupport
@testable import TriageCore

/// `TriageEvaluator.scores`, the promotion gate's input for a triage model: the same figures as
/// `triage eval` on the same CSV, paired rows for two tiny random models, and a refusal of runs
/// on different CSVs.
struct GateScoresTests {
    @Test func scoresAreWhatEvalMeasuresAndPairTwoModels() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let active = try TinyTriageModel.write(to: folder.appendingPathComponent("active"), seed: 7)
        let candidate = try TinyTriageModel.write(to: folder.appendingPathComponent("candidate"), seed: 8)
        let csv = try TinyRadiographs.write(into: folder, name: "frozen", count: 24, seed: 3)

        let a = try TriageEvaluator.scores(modelFolder: active, labels: csv)
        let c = try TriageEvaluator.scores(modelFolder: candidate, labels: csv)
        #expect(a.labels.count == 24 && a.labels == c.labels && a.labels.filter { $0 }.count == 16)
        #expect(a.threshold == TinyTriageModel.spec.threshold && a.probabilities != c.probabilities)
        #expect(a.probabilities.allSatisfy { (0...1).contains($0) })

        let model = try TriageModel.load(directory: active)
        let eval = try TriageEvaluator(model: model).evaluate(LabelledImages(csv: csv, labels: model.spec.labels))
        let report = try PromotionGate().compare(active: a, candidate: c)
        let auc = try #require(report.checks.first { $0.id == "auc" })
        let sensitivity = try #require(report.checks.first { $0.id == "sensitivity" })
        let specificity = try #require(report.checks.first { $0.id == "specificity" })
        let ece = try #require(report.checks.first { $0.id == "ece" })
        #expect(auc.active == eval.auc && sensitivity.active == eval.sensitivity && specificity.active == eval.specificity)
        #expect(abs(ece.active! - eval.ece) < 1e-12)
        #expect(report.checks.map(\.id) == ["auc", "sensitivity", "specificity", "ece"])

        // A model against itself: no difference anywhere; AUC's interval is the point 0. (With 16
        // positives, agreement alone cannot show sensitivity within the margin when both models are
        // at 0 or 1: see PromotionGateTests.agreementOnTooFewPositivesDoesNotShowNonInferiority.)
        let same = try PromotionGate().compare(active: a, candidate: a)
        #expect(same.checks.allSatisfy { $0.difference == 0 })
        #expect(same.checks.filter { ["auc", "ece"].contains($0.id) }.allSatisfy { $0.outcome == .pass })

        // Runs on two different CSVs cannot be paired.
        let other = try TinyRadiographs.write(into: folder, name: "other", count: 21, seed: 3)
        let shorter = try TriageEvaluator.scores(modelFolder: candidate, labels: other)
        #expect(throws: EvaluationError.lengthMismatch(what: "candidate model's examples", expected: 24, actual: 21)) {
            try PromotionGate().compare(active: a, candidate: shorter)
        }
    }
}
