import Evaluation
import Foundation

/// The rules that turn validation scores into the model's operating threshold and urgency
/// thresholds (docs/TRIAGE-MODEL.md states them for readers of the model card).
public enum OperatingThresholds {
    /// The sensitivity the operating threshold must keep on validation.
    public static let minimumSensitivity = 0.95
    /// The specificity a score must reach on validation to count as urgent.
    public static let urgentSpecificity = 0.99

    public static let rule = "Youden's J (sensitivity + specificity − 1) maximised on the validation split, "
        + "lowered if needed until validation sensitivity ≥ \(minimumSensitivity); "
        + "urgent when the score reaches the lowest threshold with validation specificity ≥ \(urgentSpecificity)"

    /// - Returns: the operating threshold and the urgency thresholds (priority = operating threshold).
    public static func choose(_ predictions: BinaryPredictions) throws
        -> (threshold: Double, urgency: TriageModelSpec.UrgencyThresholds) {
        var operating = try predictions.youdenThreshold()
        if operating.sensitivity.value < minimumSensitivity {
            operating = try predictions.thresholdForSensitivity(minimumSensitivity)
        }
        let scores = Set(predictions.probabilities).sorted()
        let candidates = scores.filter { $0 >= operating.threshold }
        let urgent = candidates.first { predictions.operatingPoint(threshold: $0).specificity.value >= urgentSpecificity }
            ?? candidates.last ?? operating.threshold
        let threshold = midpointBelow(operating.threshold, in: scores)
        return (threshold, TriageModelSpec.UrgencyThresholds(priority: threshold,
                                                             urgent: max(midpointBelow(urgent, in: scores), threshold)))
    }

    /// Halfway between an observed score and the next lower one: the same decisions on the
    /// validation scores, but not on a knife's edge for a score recomputed a rounding error lower.
    static func midpointBelow(_ score: Double, in sorted: [Double]) -> Double {
        guard let index = sorted.firstIndex(of: score), index > 0 else { return score }
        return (sorted[index - 1] + score) / 2
    }
}
