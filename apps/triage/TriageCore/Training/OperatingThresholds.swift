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
        let candidates = Set(predictions.probabilities.filter { $0 >= operating.threshold }).sorted()
        let urgent = candidates.first { predictions.operatingPoint(threshold: $0).specificity.value >= urgentSpecificity }
            ?? candidates.last ?? operating.threshold
        return (operating.threshold,
                TriageModelSpec.UrgencyThresholds(priority: operating.threshold, urgent: max(urgent, operating.threshold)))
    }
}
