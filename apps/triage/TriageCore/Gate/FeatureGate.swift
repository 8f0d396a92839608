import Foundation
package import ModelRuntime
import SuiteFoundation

/// The learned half of the input gate, the `input_gate` section of `model.json`: how far an
/// image's pooled last-stage features lie from the training radiographs.
///
/// The score is the squared Mahalanobis distance to the nearest class mean under one shared
/// covariance, `d² = min_c (x − μ_c)ᵀ Σ⁻¹ (x − μ_c)` with `x` the global-average-pooled
/// features `[features]` (the classifier's input). `Σ = L Lᵀ` is stored as its Cholesky factor,
/// so `d² = ‖L⁻¹(x − μ_c)‖²` (one forward substitution per class). An image whose `d²` exceeds
/// `threshold` is refused as `out_of_distribution`.
///
/// ```json
/// "input_gate": {"features": 128, "class_means": [[...], [...]], "covariance_cholesky": [...],
///                "shrinkage": 0.01, "threshold": 142.9, "threshold_rule": "...", "figures": {...}}
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
    /// What the gate passes and refuses, as measured when it was fitted (nil before).
    package var figures: GateFigures?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case features
        case classMeans = "class_means"
        case covarianceCholesky = "covariance_cholesky"
        case shrinkage, threshold
        case thresholdRule = "threshold_rule"
        case figures
    }

    package init(features: Int, classMeans: [[Float]], covarianceCholesky: [Float], shrinkage: Double,
                 threshold: Double, thresholdRule: String, figures: GateFigures? = nil) {
        self.features = features
        self.classMeans = classMeans
        self.covarianceCholesky = covarianceCholesky
        self.shrinkage = shrinkage
        self.threshold = threshold
        self.thresholdRule = thresholdRule
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
        figures = try c.decodeIfPresent(GateFigures.self, forKey: .figures)
    }

    /// Checks the shapes against the architecture (at load time): the detail of a mismatch, or nil.
    func problem(classes: Int, features expected: Int) -> String? {
        guard features == expected else { return "features \(features), the network has \(expected)" }
        guard classMeans.count == classes, classMeans.allSatisfy({ $0.count == features && $0.allSatisfy(\.isFinite) }) else {
            return "class_means: \(classes) rows of \(features) finite values needed"
        }
        guard covarianceCholesky.count == features * (features + 1) / 2 else {
            return "covariance_cholesky: \(features * (features + 1) / 2) values needed, got \(covarianceCholesky.count)"
        }
        for i in 0..<features where !(covarianceCholesky[i * (i + 1) / 2 + i] > 0) {
            return "covariance_cholesky: diagonal \(i) must be positive"
        }
        guard threshold > 0, threshold.isFinite else { return "threshold must be positive, got \(threshold)" }
        return nil
    }

    /// `d²` of one pooled feature vector `[features]` to the nearest class mean.
    package func distance(_ x: [Double]) -> Double {
        precondition(x.count == features, "\(x.count) features, the gate has \(features)")
        var z = [Double](repeating: 0, count: features)
        var best = Double.infinity
        for mean in classMeans {
            // Forward substitution: L z = x − μ.
            var squared = 0.0
            for i in 0..<features {
                let row = i * (i + 1) / 2
                var s = x[i] - Double(mean[i])
                for j in 0..<i { s -= Double(covarianceCholesky[row + j]) * z[j] }
                z[i] = s / Double(covarianceCholesky[row + i])
                squared += z[i] * z[i]
            }
            best = min(best, squared)
        }
        return best
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
