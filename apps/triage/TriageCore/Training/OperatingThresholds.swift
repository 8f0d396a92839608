public import Evaluation
import Foundation

/// The rules that turn validation scores into the model's operating threshold and urgency
/// thresholds (docs/TRIAGE-MODEL.md states them for readers of the model card).
package enum OperatingThresholds {
    /// The sensitivity the operating threshold must keep on validation.
    package static let minimumSensitivity = 0.95
    /// The calibrated probability from which a positive study is urgent.
    static let urgentProbability = 0.9

    package static let rule = "Youden's J (sensitivity + specificity − 1) maximised on the validation split, "
        + "lowered if needed until validation sensitivity ≥ \(minimumSensitivity); "
        + "urgent from a calibrated probability of \(urgentProbability) (or the operating threshold if higher)"

    /// - Returns: the operating threshold and the urgency thresholds (priority = operating threshold).
    package static func choose(_ predictions: BinaryPredictions) throws
        -> (threshold: Double, urgency: TriageModelSpec.UrgencyThresholds) {
        var operating = try predictions.youdenThreshold()
        if operating.sensitivity.value < minimumSensitivity {
            operating = try predictions.thresholdForSensitivity(minimumSensitivity)
        }
        let threshold = midpointBelow(operating.threshold, in: Set(predictions.probabilities).sorted())
        return (threshold, TriageModelSpec.UrgencyThresholds(priority: threshold, urgent: max(urgentProbability, threshold)))
    }

    /// Halfway between an observed score and the next lower one: the same decisions on the
    /// validation scores, but not on a knife's edge for a score recomputed a rounding error lower.
    static func midpointBelow(_ score: Double, in sorted: [Double]) -> Double {
        guard let index = sorted.firstIndex(of: score), index > 0 else { return score }
        return (sorted[index - 1] + score) / 2
    }
}
