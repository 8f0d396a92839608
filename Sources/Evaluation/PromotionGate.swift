/// Decides whether a candidate model may replace the active one: both models' predictions on the
/// same frozen labelled examples, compared example by example (paired), each check against a
/// margin of `GateMargins`. The report names every failing check; the gate passes when none fails.
///
/// Intent classifier with out-of-scope detection (assistant), from `IntentDecisions`:
/// * `mcnemar` — per-example correctness; fails when the candidate is right on fewer of the
///   discordant examples and McNemar's two-sided p < α.
/// * `recall:<intent>` — each intent's recall, Newcombe's paired interval of the difference;
///   fails when the whole interval lies below −margin (so one flip in a tiny intent never fails
///   it, a collapse does).
/// * `oos_recall` — share of out-of-scope examples escalated, the same rule.
/// * `escalation_rate` — share of in-scope examples escalated; fails when the whole interval
///   lies above +margin.
/// * `ece` — top-label ECE (15 bins, as `assistant eval`); fails when the candidate's exceeds the
///   active's by more than the margin.
///
/// Binary classifier (triage), from `BinaryScores`, each model at its own threshold:
/// * `auc` — DeLong's test; fails when the interval's lower bound is below −margin.
/// * `sensitivity`, `specificity` — Newcombe's paired interval; fails when the lower bound is
///   below −margin (the candidate must show it is not worse).
/// * `ece` — positive-class ECE (as `triage eval`), the same rule as above.
package struct PromotionGate: Sendable, Equatable {
    package var margins: GateMargins

    package init(margins: GateMargins = .defaults) {
        self.margins = margins
    }

    /// Compares two intent classifiers run on the same labelled examples.
    /// - Throws: `EvaluationError`: `.empty`; `.lengthMismatch` when the runs hold different
    ///   numbers of examples or a run's decisions and labels differ in count; `.invalidArgument`
    ///   when the runs' labels or out-of-scope labels differ; `.nonFinite`,
    ///   `.probabilityOutOfRange` for a top probability.
    package func compare(active: IntentDecisions, candidate: IntentDecisions) throws -> PromotionReport {
        try Validate.nonEmpty(active.truth.count, "active model's examples")
        try Validate.sameLength(active.decisions.count, active.truth.count, "active model's decisions")
        try Validate.sameLength(candidate.truth.count, active.truth.count, "candidate model's examples")
        try Validate.sameLength(candidate.decisions.count, candidate.truth.count, "candidate model's decisions")
        guard candidate.outOfScopeLabel == active.outOfScopeLabel else {
            throw EvaluationError.invalidArgument(
                name: "out-of-scope label",
                reason: "the active model's run uses \"\(active.outOfScopeLabel)\", the candidate's \"\(candidate.outOfScopeLabel)\"")
        }
        try Self.sameExamples(active.truth, candidate.truth)
        let activeConfidence = active.decisions.map(\.topProbability), candidateConfidence = candidate.decisions.map(\.topProbability)
        try Validate.probabilities(activeConfidence, "active model's top probabilities")
        try Validate.probabilities(candidateConfidence, "candidate model's top probabilities")

        let truth = active.truth, oos = active.outOfScopeLabel
        let activeCorrect = active.correct, candidateCorrect = candidate.correct
        var checks = [try accuracyCheck(activeCorrect, candidateCorrect)]

        var rowsOf: [String: [Int]] = [:]
        for (i, label) in truth.enumerated() { rowsOf[label, default: []].append(i) }
        for intent in rowsOf.keys.filter({ $0 != oos }).sorted() {
            let rows = rowsOf[intent]!
            checks.append(try Self.pairedCheck(
                id: "recall:\(intent)", title: "recall of intent \(intent)",
                active: rows.map { activeCorrect[$0] }, candidate: rows.map { candidateCorrect[$0] },
                margin: margins.intentRecall, rule: .regressionShown))
        }

        let oosRows = rowsOf[oos] ?? [], inScopeRows = truth.indices.filter { truth[$0] != oos }
        if oosRows.isEmpty {
            checks.append(.skipped(
                id: "oos_recall", title: "out-of-scope recall", statistic: Self.newcombe, margin: margins.outOfScopeRecall,
                rule: DifferenceRule.regressionShown.text(margins.outOfScopeRecall),
                reason: "no example is labelled \"\(oos)\""))
        } else {
            checks.append(try Self.pairedCheck(
                id: "oos_recall", title: "out-of-scope recall",
                active: oosRows.map { active.decisions[$0].escalated }, candidate: oosRows.map { candidate.decisions[$0].escalated },
                margin: margins.outOfScopeRecall, rule: .regressionShown))
        }
        if inScopeRows.isEmpty {
            checks.append(.skipped(
                id: "escalation_rate", title: "escalation rate of in-scope examples", statistic: Self.newcombe,
                margin: margins.escalationRate, rule: DifferenceRule.increaseShown.text(margins.escalationRate),
                reason: "every example is out of scope"))
        } else {
            checks.append(try Self.pairedCheck(
                id: "escalation_rate", title: "escalation rate of in-scope examples",
                active: inScopeRows.map { active.decisions[$0].escalated },
                candidate: inScopeRows.map { candidate.decisions[$0].escalated },
                margin: margins.escalationRate, rule: .increaseShown))
        }

        // Top-label ECE as `assistant eval` reports it: confidence = top probability, outcome =
        // the top-ranked intent is the true label (whatever the escalation decision).
        checks.append(eceCheck(
            active: ReliabilityDiagram(validConfidences: activeConfidence,
                                       outcomes: zip(truth, active.decisions).map { $0 == $1.topLabel },
                                       binCount: ReliabilityDiagram.defaultBinCount),
            candidate: ReliabilityDiagram(validConfidences: candidateConfidence,
                                          outcomes: zip(truth, candidate.decisions).map { $0 == $1.topLabel },
                                          binCount: ReliabilityDiagram.defaultBinCount),
            count: truth.count, statistic: "top-label ECE, \(ReliabilityDiagram.defaultBinCount) equal-width bins"))
        return PromotionReport(kind: .intentClassifier, examples: truth.count, margins: margins, checks: checks)
    }

    /// Compares two binary classifiers run on the same labelled examples, each at its own
    /// operating threshold.
    /// - Throws: `EvaluationError`: `.empty`; `.lengthMismatch` when the runs hold different
    ///   numbers of examples or a run's probabilities and labels differ in count;
    ///   `.invalidArgument` when the runs' labels differ, for a threshold that is not finite, or
    ///   with fewer than 2 examples of a class (DeLong); `.singleClass`; `.nonFinite`,
    ///   `.probabilityOutOfRange`.
    package func compare(active: BinaryScores, candidate: BinaryScores) throws -> PromotionReport {
        try Validate.nonEmpty(active.labels.count, "active model's examples")
        try Validate.sameLength(active.probabilities.count, active.labels.count, "active model's probabilities")
        try Validate.sameLength(candidate.labels.count, active.labels.count, "candidate model's examples")
        try Validate.sameLength(candidate.probabilities.count, candidate.labels.count, "candidate model's probabilities")
        try Self.sameExamples(active.labels.map { $0 ? "positive" : "negative" }, candidate.labels.map { $0 ? "positive" : "negative" })
        try Validate.probabilities(active.probabilities, "active model's probabilities")
        try Validate.probabilities(candidate.probabilities, "candidate model's probabilities")
        for (who, threshold) in [("active model's threshold", active.threshold), ("candidate model's threshold", candidate.threshold)]
            where !threshold.isFinite {
            throw EvaluationError.invalidArgument(name: who, reason: "\(threshold) is not a finite number")
        }
        let labels = active.labels
        let deLong = try DeLongTest(labels: labels, first: active.probabilities, second: candidate.probabilities)
        let positives = labels.indices.filter { labels[$0] }, negatives = labels.indices.filter { !labels[$0] }
        let aucRule = DifferenceRule.nonInferiorityShown
        var checks = [GateCheck(
            id: "auc", title: "ROC AUC", statistic: "DeLong's test for two correlated AUCs, 95% CI", count: labels.count,
            active: deLong.firstAUC, candidate: deLong.secondAUC, interval: deLong.interval, pValue: deLong.pValue,
            margin: margins.auc, rule: aucRule.text(margins.auc),
            outcome: aucRule.fails(deLong.interval, margin: margins.auc) ? .fail : .pass,
            note: "\(positives.count) positive, \(negatives.count) negative")]
        let thresholds = "positive when P ≥ \(active.threshold) (active), ≥ \(candidate.threshold) (candidate)"
        checks.append(try Self.pairedCheck(
            id: "sensitivity", title: "sensitivity at each model's threshold",
            active: positives.map { active.probabilities[$0] >= active.threshold },
            candidate: positives.map { candidate.probabilities[$0] >= candidate.threshold },
            margin: margins.sensitivity, rule: .nonInferiorityShown, detail: thresholds))
        checks.append(try Self.pairedCheck(
            id: "specificity", title: "specificity at each model's threshold",
            active: negatives.map { active.probabilities[$0] < active.threshold },
            candidate: negatives.map { candidate.probabilities[$0] < candidate.threshold },
            margin: margins.specificity, rule: .nonInferiorityShown, detail: thresholds))
        // Positive-class ECE as `triage eval` reports it (the scores were validated by DeLongTest).
        checks.append(eceCheck(
            active: ReliabilityDiagram(validConfidences: active.probabilities, outcomes: labels,
                                       binCount: ReliabilityDiagram.defaultBinCount),
            candidate: ReliabilityDiagram(validConfidences: candidate.probabilities, outcomes: labels,
                                          binCount: ReliabilityDiagram.defaultBinCount),
            count: labels.count, statistic: "positive-class ECE, \(ReliabilityDiagram.defaultBinCount) equal-width bins"))
        return PromotionReport(kind: .binaryClassifier, examples: labels.count, margins: margins, checks: checks)
    }
}

extension PromotionGate {
    static let newcombe = "Newcombe's paired 95% CI of the difference"

    /// How a paired interval of candidate − active fails a check.
    enum DifferenceRule {
        /// A regression must be shown: fails when the whole interval lies below −margin.
        case regressionShown
        /// For a rate that should not grow: fails when the whole interval lies above +margin.
        case increaseShown
        /// The candidate must show it is not worse: fails when the lower bound is below −margin.
        case nonInferiorityShown

        func fails(_ interval: ConfidenceInterval, margin: Double) -> Bool {
            switch self {
            case .regressionShown: return interval.upper < -margin
            case .increaseShown: return interval.lower > margin
            case .nonInferiorityShown: return interval.lower < -margin
            }
        }

        func text(_ margin: Double) -> String {
            switch self {
            case .regressionShown: return "fails when the CI's upper bound < −\(margin)"
            case .increaseShown: return "fails when the CI's lower bound > +\(margin)"
            case .nonInferiorityShown: return "fails when the CI's lower bound < −\(margin)"
            }
        }
    }

    /// A paired proportion (recall, rate) of both models on the same examples, [n] each, n > 0.
    static func pairedCheck(
        id: String, title: String, active: [Bool], candidate: [Bool], margin: Double, rule: DifferenceRule,
        detail: String? = nil
    ) throws -> GateCheck {
        let d = try PairedProportionDifference(firstSuccess: active, secondSuccess: candidate)
        let counts = "\(d.first.count)/\(d.first.total) → \(d.second.count)/\(d.second.total)"
        return GateCheck(
            id: id, title: title, statistic: newcombe, count: active.count, active: d.first.value, candidate: d.second.value,
            interval: d.interval, margin: margin, rule: rule.text(margin),
            outcome: rule.fails(d.interval, margin: margin) ? .fail : .pass,
            note: detail.map { "\(counts); \($0)" } ?? counts)
    }

    /// McNemar's test on per-example correctness, with the accuracy difference's paired interval.
    func accuracyCheck(_ active: [Bool], _ candidate: [Bool]) throws -> GateCheck {
        let test = try McNemarTest(firstCorrect: active, secondCorrect: candidate)
        let d = try PairedProportionDifference(firstSuccess: active, secondSuccess: candidate)
        let worse = test.onlyFirstCorrect > test.onlySecondCorrect && test.pValue < margins.alpha
        return GateCheck(
            id: "mcnemar", title: "accuracy",
            statistic: "McNemar's test (\(test.method.rawValue)) on per-example correctness; the accuracy difference's CI is Newcombe's paired 95% CI",
            count: active.count, active: d.first.value, candidate: d.second.value, interval: d.interval, pValue: test.pValue,
            margin: margins.alpha,
            rule: "fails when the candidate is right on fewer discordant examples with p < α = \(margins.alpha)",
            outcome: worse ? .fail : .pass,
            note: "\(test.onlyFirstCorrect) right only for the active model, \(test.onlySecondCorrect) only for the candidate")
    }

    /// The ECE of both models; fails when the candidate's exceeds the active's by more than the margin.
    func eceCheck(active: ReliabilityDiagram, candidate: ReliabilityDiagram, count: Int, statistic: String) -> GateCheck {
        let a = active.expectedCalibrationError, c = candidate.expectedCalibrationError
        return GateCheck(
            id: "ece", title: "expected calibration error", statistic: statistic, count: count, active: a, candidate: c,
            margin: margins.ece, rule: "fails when candidate − active > +\(margins.ece) (lower is better)",
            outcome: c - a > margins.ece ? .fail : .pass)
    }

    /// Throws unless both runs hold the same label at every position (lengths already equal).
    static func sameExamples(_ active: [String], _ candidate: [String]) throws {
        if let i = active.indices.first(where: { active[$0] != candidate[$0] }) {
            throw EvaluationError.invalidArgument(
                name: "candidate model's examples",
                reason: "example \(i) is labelled \"\(candidate[i])\" there and \"\(active[i])\" for the active model: the runs are not on the same examples")
        }
    }
}
