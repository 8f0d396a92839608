import Foundation
import SuiteFoundation
import Testing
@testable import Evaluation

/// The promotion gate on synthetic paired predictions: a better candidate passes, a worse one
/// fails naming each failing check, a candidate worse on one intent fails that intent only, a
/// miscalibrated one fails ECE only; margins decode strictly; runs on other examples are refused.
/// Expected figures were worked out with numpy/scipy (Wilson, Newcombe, exact McNemar, DeLong
/// from the ψ matrix) on the same data.
struct PromotionGateTests {
    static let intents = ["billing", "delivery", "password", "refund"]

    /// 40 examples of each intent, then 40 out-of-scope ones. The model is right on the first
    /// `right[intent]` examples of an intent (top label the intent, p = 0.9) and on the first
    /// `oosRight` out-of-scope ones (escalated, p = 0.3). A wrong in-scope example is ranked
    /// "other" (p = 0.5), every second one escalated when `escalateWrong`; a missed
    /// out-of-scope one is answered (p = 0.5). Two runs are nested: the better one is right
    /// wherever the worse one is.
    static func run(right: [String: Int], oosRight: Int, escalateWrong: Bool = true) -> IntentDecisions {
        var truth: [String] = [], decisions: [IntentDecision] = []
        for intent in intents {
            for i in 0..<40 {
                truth.append(intent)
                let r = right[intent]!
                decisions.append(i < r ? IntentDecision(topLabel: intent, topProbability: 0.9, escalated: false)
                                       : IntentDecision(topLabel: "other", topProbability: 0.5, escalated: escalateWrong && (i - r) % 2 == 0))
            }
        }
        for i in 0..<40 {
            truth.append("oos")
            decisions.append(IntentDecision(topLabel: "billing", topProbability: i < oosRight ? 0.3 : 0.5, escalated: i < oosRight))
        }
        return IntentDecisions(truth: truth, decisions: decisions, outOfScopeLabel: "oos")
    }

    static func run(right: Int, oosRight: Int) -> IntentDecisions {
        run(right: Dictionary(uniqueKeysWithValues: intents.map { ($0, right) }), oosRight: oosRight)
    }

    static let good = run(right: 38, oosRight: 36)
    static let poor = run(right: 26, oosRight: 28)

    static func check(_ report: PromotionReport, _ id: String) throws -> GateCheck {
        try #require(report.checks.first { $0.id == id }, "no check \(id)")
    }

    @Test func aClearlyBetterIntentClassifierPasses() throws {
        let report = try PromotionGate().compare(active: Self.poor, candidate: Self.good)
        #expect(report.passed && report.failingChecks.isEmpty)
        #expect(report.kind == .intentClassifier && report.examples == 200)
        #expect(report.checks.map(\.id) == ["mcnemar", "recall:billing", "recall:delivery", "recall:password", "recall:refund",
                                            "oos_recall", "escalation_rate", "ece"])
        let mcnemar = try Self.check(report, "mcnemar")
        #expect(mcnemar.active == 0.66 && mcnemar.candidate == 0.94 && mcnemar.pValue! < 1e-12)
        #expect(mcnemar.note == "0 right only for the active model, 56 only for the candidate")
        let billing = try Self.check(report, "recall:billing")
        #expect(billing.count == 40 && abs(billing.difference! - 0.3) < 1e-12)
        #expect(abs(billing.interval!.lower - 0.15671145551805457) < 1e-9 && abs(billing.interval!.upper - 0.44768410108994927) < 1e-9)
        let escalation = try Self.check(report, "escalation_rate")
        #expect(escalation.count == 160 && escalation.active == 0.175 && escalation.candidate == 0.025)
        let ece = try Self.check(report, "ece")
        #expect(abs(ece.active! - 0.264) < 1e-12 && abs(ece.candidate! - 0.16) < 1e-12)
    }

    @Test func aWorseIntentClassifierFailsNamingEveryFailingCheck() throws {
        let report = try PromotionGate().compare(active: Self.good, candidate: Self.poor)
        #expect(!report.passed)
        #expect(report.failingChecks.map(\.id) == ["mcnemar", "recall:billing", "recall:delivery", "recall:password", "recall:refund",
                                                   "oos_recall", "escalation_rate", "ece"])
        let oos = try Self.check(report, "oos_recall")
        #expect(abs(oos.interval!.upper - -0.07588005246308005) < 1e-9)
        let markdown = report.markdown(title: "Promotion gate: candidate v2 against v1")
        #expect(markdown.hasPrefix("## Promotion gate: candidate v2 against v1: FAIL\n"))
        #expect(markdown.contains("Failing checks: `mcnemar` (accuracy), `recall:billing` (recall of intent billing)"))
        #expect(markdown.contains("| :--- | ---: |"))
        #expect(markdown.contains("| oos_recall | 40 | 0.9000 | 0.7000 | -0.2000 | [-0.3340, -0.0759] | – | 0.0500 | FAIL |"), "\(markdown)")
        #expect(markdown.contains("- `recall:refund`, recall of intent refund: Newcombe's paired 95% CI of the difference; fails when the CI's upper bound < −0.05 (38/40 → 26/40)."))
    }

    /// The candidate trades 20 billing examples for 18 gained elsewhere: overall accuracy is
    /// unchanged (McNemar passes), and only billing's recall check fails.
    @Test func aCandidateWorseOnOneIntentFailsThatIntentOnly() throws {
        let active = Self.run(right: ["billing": 36, "delivery": 32, "password": 32, "refund": 32], oosRight: 34, escalateWrong: false)
        let candidate = Self.run(right: ["billing": 16, "delivery": 38, "password": 38, "refund": 38], oosRight: 34, escalateWrong: false)
        let report = try PromotionGate().compare(active: active, candidate: candidate)
        #expect(report.failingChecks.map(\.id) == ["recall:billing"])
        let mcnemar = try Self.check(report, "mcnemar")
        #expect(mcnemar.outcome == .pass && abs(mcnemar.pValue! - 0.8711314915971582) < 1e-9)
        let billing = try Self.check(report, "recall:billing")
        #expect(billing.active == 0.9 && billing.candidate == 0.4)
        #expect(abs(billing.interval!.upper - -0.327316166891942) < 1e-9)
        #expect(try Self.check(report, "recall:delivery").outcome == .pass)
    }

    /// The whole-interval rule is not fooled by tiny intents: one flip among three examples passes,
    /// losing all three fails.
    @Test func aTinyIntentFailsOnlyWhenItCollapses() throws {
        func runs(candidateRight: Int) -> (IntentDecisions, IntentDecisions) {
            let truth = Array(repeating: "rare", count: 3) + Array(repeating: "common", count: 50)
            let right = IntentDecision(topLabel: "rare", topProbability: 0.9, escalated: false)
            let wrong = IntentDecision(topLabel: "common", topProbability: 0.6, escalated: false)
            let common = Array(repeating: IntentDecision(topLabel: "common", topProbability: 0.9, escalated: false), count: 50)
            let active = IntentDecisions(truth: truth, decisions: Array(repeating: right, count: 3) + common, outOfScopeLabel: "oos")
            let candidate = IntentDecisions(
                truth: truth, decisions: (0..<3).map { $0 < candidateRight ? right : wrong } + common, outOfScopeLabel: "oos")
            return (active, candidate)
        }
        let gate = PromotionGate(margins: GateMargins(ece: 1))
        let (a1, c1) = runs(candidateRight: 2)
        #expect(try gate.compare(active: a1, candidate: c1).passed)
        let (a0, c0) = runs(candidateRight: 0)
        let report = try gate.compare(active: a0, candidate: c0)
        #expect(report.failingChecks.map(\.id) == ["recall:rare"])
        let oos = try Self.check(report, "oos_recall")
        #expect(oos.outcome == .skipped && oos.active == nil && oos.note == "no example is labelled \"oos\"")
    }

    @Test func anIdenticalCandidatePasses() throws {
        let report = try PromotionGate().compare(active: Self.poor, candidate: Self.poor)
        #expect(report.passed)
        #expect(report.checks.allSatisfy { $0.difference == 0 })
        #expect(try Self.check(report, "mcnemar").pValue == 1)
    }

    // MARK: Binary (triage)

    /// Calibrated scores: at each score s of `grid`, `perPoint` examples of which round(s·perPoint)
    /// are positive; positives first, then negatives, each sorted by score (so two models pair
    /// their i-th lowest positives).
    static func scores(grid: [Double], perPoint: Int, threshold: Double = 0.5) -> BinaryScores {
        var positives: [Double] = [], negatives: [Double] = []
        for s in grid {
            let k = Int((s * Double(perPoint)).rounded())
            positives += Array(repeating: s, count: k)
            negatives += Array(repeating: s, count: perPoint - k)
        }
        return BinaryScores(labels: positives.map { _ in true } + negatives.map { _ in false },
                            probabilities: positives.sorted() + negatives.sorted(), threshold: threshold)
    }

    static let strong = scores(grid: (0..<10).map { 0.05 + 0.1 * Double($0) }, perPoint: 20)
    static let weak = scores(grid: [0.3, 0.4, 0.6, 0.7], perPoint: 50)

    @Test func aClearlyBetterBinaryClassifierPasses() throws {
        let report = try PromotionGate().compare(active: Self.weak, candidate: Self.strong)
        #expect(report.passed && report.kind == .binaryClassifier && report.examples == 200)
        #expect(report.checks.map(\.id) == ["auc", "sensitivity", "specificity", "ece"])
        let auc = try Self.check(report, "auc")
        #expect(abs(auc.active! - 0.675) < 1e-12 && abs(auc.candidate! - 0.83) < 1e-12)
        #expect(abs(auc.interval!.lower - 0.12642376828542407) < 1e-9 && abs(auc.pValue! - 2.1376751887841668e-26) < 1e-30)
        let sensitivity = try Self.check(report, "sensitivity")
        #expect(sensitivity.active == 0.65 && sensitivity.candidate == 0.75 && sensitivity.count == 100)
        #expect(abs(sensitivity.interval!.lower - 0.04108520221572571) < 1e-9)
    }

    @Test func aWorseBinaryClassifierFailsNamingEveryFailingCheck() throws {
        let report = try PromotionGate().compare(active: Self.strong, candidate: Self.weak)
        #expect(!report.passed)
        #expect(report.failingChecks.map(\.id) == ["auc", "sensitivity", "specificity"])
        #expect(try Self.check(report, "ece").outcome == .pass)
        #expect(report.markdown().contains("Failing checks: `auc` (ROC AUC), `sensitivity` (sensitivity at each model's threshold), `specificity`"))
    }

    /// The same ranking squashed (s²) with the threshold moved to match (0.25): AUC, sensitivity and
    /// specificity are unchanged, calibration is not.
    @Test func aMiscalibratedCandidateFailsECEOnly() throws {
        let squashed = BinaryScores(labels: Self.strong.labels, probabilities: Self.strong.probabilities.map { $0 * $0 }, threshold: 0.25)
        let report = try PromotionGate().compare(active: Self.strong, candidate: squashed)
        #expect(report.failingChecks.map(\.id) == ["ece"])
        let ece = try Self.check(report, "ece")
        #expect(ece.active! < 1e-12 && abs(ece.candidate! - 0.1675) < 1e-9)
        #expect(try Self.check(report, "auc").difference == 0)
    }

    /// Newcombe's interval sets φ = 0 when a margin of the paired table is empty, so two models
    /// that both find every positive still carry the uncertainty of the proportion: the lower
    /// bound is −z²/(n + z²). 16 positives cannot show non-inferiority within 0.03; 200 can.
    @Test func agreementOnTooFewPositivesDoesNotShowNonInferiority() throws {
        func sensitivity(positives n: Int) throws -> GateCheck {
            let scores = BinaryScores(labels: Array(repeating: true, count: n) + [false, false, false],
                                      probabilities: Array(repeating: 0.9, count: n) + [0.1, 0.2, 0.3], threshold: 0.5)
            return try Self.check(PromotionGate().compare(active: scores, candidate: scores), "sensitivity")
        }
        let few = try sensitivity(positives: 16), many = try sensitivity(positives: 200)
        let z2 = ConfidenceInterval.z95 * ConfidenceInterval.z95
        #expect(few.difference == 0 && few.outcome == .fail && abs(few.interval!.lower - -z2 / (16 + z2)) < 1e-12)
        #expect(many.outcome == .pass && abs(many.interval!.lower - -z2 / (200 + z2)) < 1e-12)
    }

    // MARK: Margins

    @Test func marginsDecodeWithDefaultsForMissingKeys() throws {
        #expect(try JSONDecoder().decode(GateMargins.self, from: Data("{}".utf8)) == .defaults)
        let margins = try JSONDecoder().decode(GateMargins.self, from: Data(#"{"alpha": 0.01, "intent_recall": 0.1, "auc": 0}"#.utf8))
        #expect(margins == GateMargins(alpha: 0.01, intentRecall: 0.1, auc: 0))
        let again = try JSONDecoder().decode(GateMargins.self, from: JSONOutput.data(margins))
        #expect(again == margins)
        #expect(try JSONOutput.string(GateMargins.defaults).contains("\"oos_recall\":0.05"))
    }

    @Test func marginsDecodingNamesAnUnknownKeyOrABadValue() throws {
        func problem(_ json: String) -> String {
            do {
                _ = try JSONDecoder().decode(GateMargins.self, from: Data(json.utf8))
                return "decoded"
            } catch let error as DecodingError {
                return error.summary
            } catch {
                return "\(error)"
            }
        }
        #expect(problem(#"{"alpha": 0.05, "auc_margin": 0.1}"#).contains("field 'auc_margin': unknown field (expected one of alpha, intent_recall"))
        #expect(problem(#"{"sensitivity": 1.5}"#) == "field 'sensitivity': 1.5 is not a margin in [0, 1]")
        #expect(problem(#"{"ece": -0.01}"#) == "field 'ece': -0.01 is not a margin in [0, 1]")
        #expect(problem(#"{"alpha": 0}"#) == "field 'alpha': 0.0 is not a significance level in (0, 1)")
        #expect(problem(#"{"auc": "0.02"}"#).hasPrefix("field 'auc'"))
    }

    @Test func marginsFileErrorsNameTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gate-margins-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(#"{"specifity": 0.1}"#.utf8).write(to: url)
        #expect { try GateMargins.load(url) } throws: { error in
            guard case EvaluationError.invalidArgument(let name, let reason) = error else { return false }
            return name == "gate margins \(url.path)" && reason.contains("'specifity'")
        }
        try Data(#"{"specificity": 0.1}"#.utf8).write(to: url)
        #expect(try GateMargins.load(url).specificity == 0.1)
    }

    // MARK: Runs that cannot be paired

    @Test func runsOfDifferentLengthsAreRefused() throws {
        var shorter = Self.good
        shorter.truth.removeLast()
        shorter.decisions.removeLast()
        #expect(throws: EvaluationError.lengthMismatch(what: "candidate model's examples", expected: 200, actual: 199)) {
            try PromotionGate().compare(active: Self.poor, candidate: shorter)
        }
        var ragged = Self.good
        ragged.decisions.removeLast()
        #expect(throws: EvaluationError.lengthMismatch(what: "active model's decisions", expected: 200, actual: 199)) {
            try PromotionGate().compare(active: ragged, candidate: Self.good)
        }
        let fewer = BinaryScores(labels: Array(Self.weak.labels.dropLast()), probabilities: Array(Self.weak.probabilities.dropLast()),
                                 threshold: 0.5)
        #expect(throws: EvaluationError.lengthMismatch(what: "candidate model's examples", expected: 200, actual: 199)) {
            try PromotionGate().compare(active: Self.strong, candidate: fewer)
        }
        #expect(throws: EvaluationError.empty(what: "active model's examples")) {
            try PromotionGate().compare(active: IntentDecisions(truth: [], decisions: [], outOfScopeLabel: "oos"),
                                        candidate: IntentDecisions(truth: [], decisions: [], outOfScopeLabel: "oos"))
        }
    }

    @Test func runsOnOtherExamplesAreRefused() throws {
        var relabelled = Self.good
        relabelled.truth[5] = "refund"
        #expect(throws: EvaluationError.invalidArgument(
            name: "candidate model's examples",
            reason: "example 5 is labelled \"refund\" there and \"billing\" for the active model: the runs are not on the same examples")) {
            try PromotionGate().compare(active: Self.poor, candidate: relabelled)
        }
        var otherLabel = Self.good
        otherLabel.outOfScopeLabel = "out_of_scope"
        #expect(throws: EvaluationError.self) { try PromotionGate().compare(active: Self.poor, candidate: otherLabel) }
        var flipped = Self.weak
        flipped.labels[0].toggle()
        #expect(throws: EvaluationError.self) { try PromotionGate().compare(active: Self.strong, candidate: flipped) }
        var badProbability = Self.good
        badProbability.decisions[3].topProbability = 1.5
        #expect(throws: EvaluationError.probabilityOutOfRange(what: "candidate model's top probabilities", index: 3, value: 1.5)) {
            try PromotionGate().compare(active: Self.poor, candidate: badProbability)
        }
        var badThreshold = Self.weak
        badThreshold.threshold = .nan
        #expect(throws: EvaluationError.self) { try PromotionGate().compare(active: Self.strong, candidate: badThreshold) }
    }

    // MARK: Report

    @Test func theReportRoundTripsThroughJSON() throws {
        for report in [try PromotionGate().compare(active: Self.good, candidate: Self.poor),
                       try PromotionGate().compare(active: Self.weak, candidate: Self.strong)] {
            let data = try JSONOutput.data(report)
            #expect(try JSONDecoder().decode(PromotionReport.self, from: data) == report)
        }
        let json = try JSONOutput.string(try PromotionGate().compare(active: Self.good, candidate: Self.poor))
        #expect(json.contains("\"passed\":false") && json.contains("\"outcome\":\"fail\"") && json.contains("\"id\":\"recall:billing\""))
        #expect(json.contains("\"method\":\"newcombe-paired\""))
    }
}
