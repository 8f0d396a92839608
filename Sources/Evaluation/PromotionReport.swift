import Foundation

/// One check of the promotion gate: a figure of the active and the candidate model on the same
/// examples, their difference (candidate − active) with its interval or p-value, the margin the
/// rule uses, and the outcome.
package struct GateCheck: Codable, Sendable, Equatable {
    package enum Outcome: String, Codable, Sendable {
        case pass, fail
        /// Not measurable on these examples (e.g. no out-of-scope example); never fails the gate.
        case skipped
    }

    /// Stable name: `mcnemar`, `recall:<intent>`, `oos_recall`, `escalation_rate`, `ece`, `auc`,
    /// `sensitivity`, `specificity`.
    package let id: String
    /// What is measured, for people (e.g. "recall of intent billing").
    package let title: String
    /// How the difference is judged (e.g. "Newcombe paired 95% CI").
    package let statistic: String
    /// The examples the figures are measured on (e.g. the examples of one intent).
    package let count: Int
    /// The active and the candidate model's figure; `nil` when skipped.
    package let active: Double?
    package let candidate: Double?
    /// candidate − active; `nil` when skipped.
    package let difference: Double?
    /// 95 % interval of `difference`, when the statistic has one.
    package let interval: ConfidenceInterval?
    /// Two-sided p-value of equal performance, when the statistic has one.
    package let pValue: Double?
    /// The margin of the rule (α for McNemar's test).
    package let margin: Double
    /// When the check fails, e.g. "fails when the CI's upper bound < −0.05".
    package let rule: String
    package let outcome: Outcome
    /// Counts behind the figures, or why the check was skipped.
    package let note: String?

    init(id: String, title: String, statistic: String, count: Int, active: Double?, candidate: Double?,
         interval: ConfidenceInterval? = nil, pValue: Double? = nil, margin: Double, rule: String, outcome: Outcome,
         note: String? = nil) {
        self.id = id
        self.title = title
        self.statistic = statistic
        self.count = count
        self.active = active
        self.candidate = candidate
        if let active, let candidate { difference = candidate - active } else { difference = nil }
        self.interval = interval
        self.pValue = pValue
        self.margin = margin
        self.rule = rule
        self.outcome = outcome
        self.note = note
    }

    /// A check that cannot be measured on these examples.
    static func skipped(id: String, title: String, statistic: String, margin: Double, rule: String, reason: String) -> GateCheck {
        GateCheck(id: id, title: title, statistic: statistic, count: 0, active: nil, candidate: nil,
                  margin: margin, rule: rule, outcome: .skipped, note: reason)
    }
}

/// The promotion gate's verdict on a candidate: every check, the margins it used, and whether
/// the candidate may replace the active model. Codable (store it as JSON with `JSONOutput`);
/// `markdown()` for people.
package struct PromotionReport: Codable, Sendable, Equatable {
    package enum Kind: String, Codable, Sendable {
        /// An intent classifier with out-of-scope detection (assistant).
        case intentClassifier = "intent-classifier"
        /// A binary classifier with an operating threshold (triage).
        case binaryClassifier = "binary-classifier"
    }

    package let kind: Kind
    /// Paired examples both models were run on.
    package let examples: Int
    package let margins: GateMargins
    package let checks: [GateCheck]
    /// `true` when no check failed.
    package let passed: Bool

    init(kind: Kind, examples: Int, margins: GateMargins, checks: [GateCheck]) {
        self.kind = kind
        self.examples = examples
        self.margins = margins
        self.checks = checks
        passed = !checks.contains { $0.outcome == .fail }
    }

    /// The checks that failed, in report order.
    package var failingChecks: [GateCheck] { checks.filter { $0.outcome == .fail } }

    /// A Markdown section: the verdict, the failing checks by name, one table row per check and
    /// each check's rule.
    /// - Parameter title: the heading, e.g. naming the two versions.
    package func markdown(title: String = "Promotion gate") -> String {
        var text = "## \(title): \(passed ? "PASS" : "FAIL")\n\n"
        let what = kind == .intentClassifier ? "intent classifier" : "binary classifier"
        text += "Candidate against the active model on \(examples) paired examples (\(what)).\n\n"
        if passed {
            text += "No check failed: the candidate may be promoted.\n\n"
        } else {
            text += "Failing checks: " + failingChecks.map { "`\($0.id)` (\($0.title))" }.joined(separator: ", ") + ".\n\n"
        }
        var table = TextTable("check", "n", "active", "candidate", "candidate − active", "95% CI", "p", "margin", "result")
        for check in checks {
            table.add(
                check.id, "\(check.count)", check.active.map(Format.number) ?? "–", check.candidate.map(Format.number) ?? "–",
                check.difference.map(Format.signed) ?? "–", check.interval.map(Format.interval) ?? "–",
                check.pValue.map(Format.pValue) ?? "–", Format.number(check.margin), check.outcome.rawValue.uppercased())
        }
        text += table.renderMarkdown() + "\nRules:\n\n"
        for check in checks {
            let note = check.note.map { " (\($0))" } ?? ""
            text += "- `\(check.id)`, \(check.title): \(check.statistic); \(check.rule)\(note).\n"
        }
        return text
    }
}
