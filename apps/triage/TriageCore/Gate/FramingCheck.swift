import Foundation
import SuiteFoundation

/// The third learned check of the input gate (`input_gate.framing` in model.json): is the film
/// upright and whole?
///
/// A turned or cropped radiograph is still a radiograph, so distances to the training images
/// (`FeatureGate`, `LayoutGate`) miss many of them. This check is discriminative instead: a
/// logistic regression (`LogisticRegression`) trained to tell the training images (target 0) from
/// the same images turned by 90°, 180° or 270°, flipped upside down, or cropped and enlarged
/// (target 1, made by `framed`; fitted in `GateFitting`). Its input joins what the two distance
/// checks see: the layout vector (`LayoutGate.vector`) and the whitened pooled features
/// (`FeatureGate.whitened`). The **framing score** is its logit `z = w·v + b`; an image whose
/// score exceeds `threshold` (a high quantile of the validation radiographs) is refused.
///
/// ```json
/// "framing": {"weights": [...], "threshold": 2.8, "threshold_rule": "..."}
/// ```
package struct FramingCheck: Codable, Sendable, Equatable {
    /// `[layout dimension + features + 1]`: layout weights, feature weights, then the bias.
    package var weights: [Float]
    /// Refuse when the framing score exceeds this.
    package var threshold: Double
    /// How `threshold` was chosen.
    package var thresholdRule: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case weights, threshold
        case thresholdRule = "threshold_rule"
    }

    package init(weights: [Float], threshold: Double, thresholdRule: String) {
        self.weights = weights
        self.threshold = threshold
        self.thresholdRule = thresholdRule
    }

    package init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, keys: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weights = try c.decode([Float].self, forKey: .weights)
        threshold = try c.decode(Double.self, forKey: .threshold)
        thresholdRule = try c.decode(String.self, forKey: .thresholdRule)
    }

    /// Checks the length against the vectors it reads (at load time): the detail of a mismatch, or nil.
    func problem(dimension: Int) -> String? {
        guard weights.count == dimension + 1, weights.allSatisfy(\.isFinite) else {
            return "weights: \(dimension + 1) finite values needed, got \(weights.count)"
        }
        guard threshold.isFinite else { return "threshold must be finite, got \(threshold)" }
        return nil
    }

    /// The framing score of a joined vector `[layout vector, whitened features]` (a logit: above
    /// 0, the regression thinks the film is more likely turned or cut than not).
    package func score(_ v: [Double]) -> Double {
        precondition(v.count + 1 == weights.count, "\(v.count) values for \(weights.count - 1) weights")
        var z = Double(weights[v.count])
        for k in v.indices { z += Double(weights[k]) * v[k] }
        return z
    }

    /// The refusal of a joined vector whose score exceeds the threshold, or nil.
    func refusal(_ v: [Double]) -> NotAssessable? {
        let z = score(v)
        guard !(z <= threshold) else { return nil }
        return NotAssessable(reason: InputChecks.reason,
                             detail: String(format: "framing score %.2f > %.2f (the film looks turned, flipped or cropped)", z, threshold))
    }
}
