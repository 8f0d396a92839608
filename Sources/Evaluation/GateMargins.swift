package import Foundation
import SuiteFoundation

/// The significance level and the regression margins of the promotion gate (`PromotionGate`),
/// read from JSON with snake_case keys. Every key is optional (a missing one keeps its default);
/// an unknown key, a wrong type or a value out of range is a `DecodingError` naming the key.
///
/// Margins are differences of proportions (recall, rates, AUC, ECE) in [0, 1]: 0.05 means five
/// percentage points. docs/LIFECYCLE.md ("Promotion gate") gives each rule and why its default.
package struct GateMargins: Codable, Sendable, Equatable {
    /// McNemar's test fails the candidate when it is worse with two-sided p < `alpha`. In (0, 1).
    package var alpha: Double
    /// An intent fails when its whole recall-difference interval lies below −margin.
    package var intentRecall: Double
    /// Out-of-scope recall fails when its whole difference interval lies below −margin.
    package var outOfScopeRecall: Double
    /// The escalation rate of in-scope examples fails when its whole difference interval lies
    /// above +margin.
    package var escalationRate: Double
    /// ECE fails when the candidate's exceeds the active model's by more than the margin.
    package var ece: Double
    /// Triage: AUC fails when the lower bound of the DeLong interval of the difference is below −margin.
    package var auc: Double
    /// Triage: sensitivity at each model's threshold fails when the lower bound is below −margin.
    package var sensitivity: Double
    /// Triage: specificity at each model's threshold fails when the lower bound is below −margin.
    package var specificity: Double

    package init(
        alpha: Double = 0.05, intentRecall: Double = 0.05, outOfScopeRecall: Double = 0.05,
        escalationRate: Double = 0.05, ece: Double = 0.03, auc: Double = 0.02, sensitivity: Double = 0.03,
        specificity: Double = 0.05
    ) {
        self.alpha = alpha
        self.intentRecall = intentRecall
        self.outOfScopeRecall = outOfScopeRecall
        self.escalationRate = escalationRate
        self.ece = ece
        self.auc = auc
        self.sensitivity = sensitivity
        self.specificity = specificity
    }

    /// α = 0.05; recall, out-of-scope recall and escalation rate 0.05; ECE 0.03; AUC 0.02;
    /// sensitivity 0.03; specificity 0.05.
    package static let defaults = GateMargins()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case alpha
        case intentRecall = "intent_recall"
        case outOfScopeRecall = "oos_recall"
        case escalationRate = "escalation_rate"
        case ece, auc, sensitivity, specificity
    }

    package init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, keys: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self.defaults
        func margin(_ key: CodingKeys, _ fallback: Double) throws -> Double {
            let value = try c.decodeIfPresent(Double.self, forKey: key) ?? fallback
            guard value >= 0, value <= 1 else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(value) is not a margin in [0, 1]")
            }
            return value
        }
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? d.alpha
        guard alpha > 0, alpha < 1 else {
            throw DecodingError.dataCorruptedError(forKey: .alpha, in: c, debugDescription: "\(alpha) is not a significance level in (0, 1)")
        }
        intentRecall = try margin(.intentRecall, d.intentRecall)
        outOfScopeRecall = try margin(.outOfScopeRecall, d.outOfScopeRecall)
        escalationRate = try margin(.escalationRate, d.escalationRate)
        ece = try margin(.ece, d.ece)
        auc = try margin(.auc, d.auc)
        sensitivity = try margin(.sensitivity, d.sensitivity)
        specificity = try margin(.specificity, d.specificity)
    }

    /// Reads a margins file (JSON object, keys as above).
    /// - Throws: `EvaluationError.invalidArgument` naming the file and, for a bad value, the key.
    package static func load(_ url: URL) throws -> GateMargins {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EvaluationError.invalidArgument(name: "gate margins \(url.path)", reason: "cannot be read")
        }
        do { return try JSONDecoder().decode(GateMargins.self, from: data) } catch let error as DecodingError {
            throw EvaluationError.invalidArgument(name: "gate margins \(url.path)", reason: error.summary)
        }
    }
}
