import Foundation
import ModelRuntime
package import Imaging
public import SuiteFoundation

/// How soon a study should be read, from its score and the model's urgency thresholds.
public enum Urgency: String, Sendable, StrictStringEnum, Comparable {
    case routine, priority, urgent

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Urgency, b: Urgency) -> Bool { a.rank < b.rank }
}

/// The model's output for one image.
public struct Prediction: Sendable, Equatable {
    /// Calibrated probability of each label.
    package let probabilities: [String: Double]
    /// Calibrated probability of the positive finding.
    public let score: Double
    /// `score ≥ threshold`.
    public let positive: Bool
    public let urgency: Urgency
    /// The heatmap of the decision made by `predict`'s `HeatmapMethod`, row-major
    /// `[camHeight, camWidth]`, in logit units of the decision's margin (positive values argue
    /// for it). The shipped method is the class activation map at the last feature resolution:
    /// the decided class's map minus the other class's, so its mean plus the bias difference is
    /// the margin.
    package let cam: [Float]
    package let camWidth: Int
    package let camHeight: Int
}

/// An input the model must not score, with the reason.
package struct NotAssessable: Error, Sendable, Equatable, CustomStringConvertible {
    /// `unsupported_photometry`, `not_radiograph`, `lateral_view` or `out_of_distribution`.
    package let reason: String
    package let detail: String
    /// The image's thumbnail (`Thumbnail.make`) when it was refused after decoding, so a batch
    /// shows it without decoding the image again.
    package var thumbnail: Image?

    package init(reason: String, detail: String, thumbnail: Image? = nil) {
        self.reason = reason
        self.detail = detail
        self.thumbnail = thumbnail
    }

    package var description: String { "not assessable (\(reason)): \(detail)" }
}
