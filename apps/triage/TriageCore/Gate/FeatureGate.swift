import Foundation
package import ModelRuntime
import SuiteFoundation

/// The learned half of the input gate, the `input_gate` section of `model.json`: how far an
/// image's pooled last-stage features lie from the training radiographs, and (`layout`,
/// `LayoutGate`) how far the layout of its model input does.
///
/// The score is the squared Mahalanobis distance to the nearest class mean under one shared
/// covariance, `d² = min_c (x − μ_c)ᵀ Σ⁻¹ (x − μ_c)` with `x` the global-average-pooled
/// features `[features]` (the classifier's input). `Σ = L Lᵀ` is stored as its Cholesky factor,
/// so `d² = ‖L⁻¹(x − μ_c)‖²` (one forward substitution per class). An image whose `d²` exceeds
/// `threshold` is refused as `out_of_distribution`.
///
/// ```json
/// "input_gate": {"features": 128, "class_means": [[...], [...]], "covariance_cholesky": [...],
///                "shrinkage": 0.01, "threshold": 142.9, "threshold_rule": "...", "layout": {...},
///                "figures": {...}}
/// ```
/// A `model.json` without the section loads; its models apply the cheap checks
/// (`InputChecks`) only.
package struct FeatureGate: Codable, Sendable, Equatable {
    /// Width of the pooled features (the last stage's width).
    package var features: Int
    /// `[classes][features]`, in label order.
    package var classMeans: [[Float]]
    /// The lower triangle of `L` (`Σ = L Lᵀ`), packed row by row: `features · (features + 1) / 2` values.
    package var covarianceCholesky: [Float]
    /// Ridge added to the covariance before factoring, as a fraction of its mean variance.
    package var shrinkage: Double
    /// Refuse when `d²` exceeds this.
    package var threshold: Double
    /// How `threshold` was chosen.
    package var thresholdRule: String
    /// The second learned check, on the layout of the model input (nil in models fitted before it).
    package var layout: LayoutGate?
    /// The third, on the framing of the film (nil in models fitted before it; needs `layout`).
    package var framing: FramingCheck?
    /// What the gate passes and refuses, as measured when it was fitted (nil before).
    package var figures: GateFigures?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case features
        case classMeans = "class_means"
        case covarianceCholesky = "covariance_cholesky"
        case shrinkage, threshold
        case thresholdRule = "threshold_rule"
        case layout, framing, figures
    }

    package init(features: Int, classMeans: [[Float]], covarianceCholesky: [Float], shrinkage: Double,
                 threshold: Double, thresholdRule: String, layout: LayoutGate? = nil, framing: FramingCheck? = nil,
                 figures: GateFigures? = nil) {
        self.features = features
        self.classMeans = classMeans
        self.covarianceCholesky = covarianceCholesky
        self.shrinkage = shrinkage
        self.threshold = threshold
        self.thresholdRule = thresholdRule
        self.layout = layout
        self.framing = framing
        self.figures = figures
    }

    package init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, keys: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        features = try c.decode(Int.self, forKey: .features)
        classMeans = try c.decode([[Float]].self, forKey: .classMeans)
        covarianceCholesky = try c.decode([Float].self, forKey: .covarianceCholesky)
        shrinkage = try c.decode(Double.self, forKey: .shrinkage)
        threshold = try c.decode(Double.self, forKey: .threshold)
        thresholdRule = try c.decode(String.self, forKey: .thresholdRule)
        layout = try c.decodeIfPresent(LayoutGate.self, forKey: .layout)
        framing = try c.decodeIfPresent(FramingCheck.self, forKey: .framing)
        figures = try c.decodeIfPresent(GateFigures.self, forKey: .figures)
    }

    /// Checks the shapes against the architecture (at load time): the detail of a mismatch, or nil.
    func problem(classes: Int, features expected: Int, input: TriageModelSpec.Input) -> String? {
        guard features == expected else { return "features \(features), the network has \(expected)" }
        if let problem = Mahalanobis.problem(classMeans: classMeans, covarianceCholesky: covarianceCholesky,
                                             classes: classes, d: features) {
            return problem
        }
        guard threshold > 0, threshold.isFinite else { return "threshold must be positive, got \(threshold)" }
        if let problem = layout?.problem(classes: classes, input: input) { return "layout: " + problem }
        guard let framing else { return nil }
        guard let layout else { return "framing: needs the layout section" }
        return framing.problem(dimension: LayoutGate.dimension(grid: layout.grid) + features).map { "framing: " + $0 }
    }

    /// `d²` of one pooled feature vector `[features]` to the nearest class mean.
    package func distance(_ x: [Double]) -> Double {
        precondition(x.count == features, "\(x.count) features, the gate has \(features)")
        return Mahalanobis.distance(x, classMeans: classMeans, covarianceCholesky: covarianceCholesky)
    }

    /// The refusal of an image by the first learned check it fails, or nil: the feature
    /// distance, the layout distance, then the framing score.
    /// - Parameters:
    ///   - input: its model input `[channels, height, width]`.
    ///   - features: its pooled features `[features]`.
    func refusal(input: Tensor, features: [Double]) -> NotAssessable? {
        if let refusal = refusal(features) { return refusal }
        guard let layout else { return nil }
        let v = LayoutGate.vector(input, grid: layout.grid)
        return layout.refusal(v) ?? framing?.refusal(v + whitened(features))
    }

    /// Pooled features `[features]` whitened by the shared covariance around the mean of the
    /// class means: `L⁻¹(x − μ̄)`, unit variance within each class (the framing check's input).
    package func whitened(_ x: [Double]) -> [Double] {
        let centre = (0..<features).map { k in classMeans.reduce(0) { $0 + Double($1[k]) } / Double(classMeans.count) }
        return Mahalanobis.whitened(x, mean: centre, covarianceCholesky: covarianceCholesky)
    }

    /// The refusal of a feature vector beyond the threshold, or nil.
    func refusal(_ x: [Double]) -> NotAssessable? {
        let d = distance(x)
        guard !(d <= threshold) else { return nil }
        return NotAssessable(reason: InputChecks.reason,
                             detail: String(format: "feature distance %.1f > %.1f (unlike the training radiographs)", d, threshold))
    }

    /// Global average pooling of the last stage.
    /// - Parameter features: `[N, features, h, w]` (`ResNet.Output.features`).
    /// - Returns: `[N][features]`.
    package static func pooled(_ features: Tensor) -> [[Double]] {
        let n = features.shape[0], c = features.shape[1], plane = features.shape[2] * features.shape[3]
        let values = features.scalars
        return (0..<n).map { i in
            (0..<c).map { k in
                let start = (i * c + k) * plane
                var sum = 0.0
                for p in start..<(start + plane) { sum += Double(values[p]) }
                return sum / Double(plane)
            }
        }
    }
}
