import Foundation
import Imaging

/// One line of `triage scan --json` / `triage explain --json`.
public struct ScanRecord: Sendable, Encodable {
    public let file: String
    public let sha256: String?
    public let format: String?
    /// `scored` or `not_assessable`.
    public let verdict: String
    public let model: String
    /// The label `score` is the probability of.
    let finding: String
    package let probabilities: [String: Double]?
    /// Calibrated probability of the finding.
    public let score: Double?
    /// The model's operating threshold: `positive` is `score >= threshold`.
    public let threshold: Double
    public let positive: Bool?
    public let urgency: String?
    public let reason: String?
    public let detail: String?
    /// Where the heatmap was written.
    public var heatmap: String?
    public var faithfulness: Faithfulness?

    public init(_ assessment: ImageAssessment, model: TriageModel) {
        file = assessment.file
        sha256 = assessment.sha256
        format = assessment.format?.rawValue.lowercased()
        self.model = model.id
        finding = model.spec.positiveLabel
        threshold = model.spec.threshold
        switch assessment.verdict {
        case .scored(let p):
            verdict = "scored"
            probabilities = p.probabilities
            score = p.score
            positive = p.positive
            urgency = p.urgency.rawValue
            reason = nil
            detail = nil
        case .notAssessable(let r, let d):
            verdict = "not_assessable"
            probabilities = nil
            score = nil
            positive = nil
            urgency = nil
            reason = r
            detail = d
        }
    }

    /// The one-line human form, e.g. `chest.png: POSITIVE pneumonia 0.873 (threshold 0.500), urgent`.
    public var text: String {
        var line = "\(file): "
        if let score, let positive, let urgency {
            line += "\(positive ? "POSITIVE" : "negative") \(finding) \(String(format: "%.3f", score)) (threshold \(String(format: "%.3f", threshold))), \(urgency)"
        } else {
            line += "NOT ASSESSABLE \(reason ?? "") — \(detail ?? "")"
        }
        if let heatmap { line += " → \(heatmap)" }
        if let f = faithfulness {
            line += String(format: "\n  faithfulness: masking the top %.0f%% salient pixels drops the confidence by %.3f (%.3f → %.3f); random pixels: %.3f",
                           f.topFraction * 100, f.drop, f.confidence, f.maskedConfidence, f.randomDrop)
        }
        return line
    }

}
