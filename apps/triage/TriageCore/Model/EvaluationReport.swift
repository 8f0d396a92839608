public import Evaluation
import Foundation

/// What `triage eval` prints and what `triage train` stores in `model.json` for the validation
/// split: ranking, threshold and calibration figures of the positive-class probabilities, each
/// proportion with its 95 % Wilson interval and the AUC with its DeLong interval.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// The labels file it was measured on, as given.
    public var data: String
    package var n: Int
    package var positives: Int
    public var auc: Double
    var aucInterval: [Double]
    /// The operating threshold the threshold metrics use.
    public var threshold: Double
    public var accuracy: Double
    var accuracyInterval: [Double]
    public var sensitivity: Double
    var sensitivityInterval: [Double]
    public var specificity: Double
    var specificityInterval: [Double]
    package var precision: Double
    package var f1: Double
    /// Expected calibration error of the positive-class probability, 15 equal-width bins.
    public var ece: Double
    package var brier: Double
    public var confusion: BinaryConfusionMatrix

    enum CodingKeys: String, CodingKey {
        case data, n, positives, auc
        case aucInterval = "auc_ci95"
        case threshold, accuracy
        case accuracyInterval = "accuracy_ci95"
        case sensitivity
        case sensitivityInterval = "sensitivity_ci95"
        case specificity
        case specificityInterval = "specificity_ci95"
        case precision, f1, ece, brier, confusion
    }

    /// - Throws: `EvaluationError` when a class is absent (AUC needs both).
    public init(data: String, predictions: BinaryPredictions, threshold: Double) throws {
        let auc = try predictions.rocAUCWithDeLongInterval()
        let point = predictions.operatingPoint(threshold: threshold)
        func bounds(_ p: Proportion) -> [Double] { [p.interval.lower, p.interval.upper] }
        self.data = data
        n = predictions.count
        positives = predictions.positives
        self.auc = auc.auc
        aucInterval = [auc.interval.lower, auc.interval.upper]
        self.threshold = threshold
        accuracy = point.accuracy.value
        accuracyInterval = bounds(point.accuracy)
        sensitivity = point.sensitivity.value
        sensitivityInterval = bounds(point.sensitivity)
        specificity = point.specificity.value
        specificityInterval = bounds(point.specificity)
        precision = point.precision.value
        f1 = point.f1
        ece = try predictions.expectedCalibrationError()
        brier = predictions.brierScore
        confusion = point.confusion
    }

    /// A few lines for people.
    public var text: String {
        func pct(_ v: Double) -> String { String(format: "%.1f%%", 100 * v) }
        func ci(_ b: [Double]) -> String { String(format: "[%.1f, %.1f]", 100 * b[0], 100 * b[1]) }
        let c = confusion
        return """
            \(data): \(n) images (\(positives) positive)
            AUC \(String(format: "%.4f", auc)) [\(String(format: "%.4f", aucInterval[0])), \(String(format: "%.4f", aucInterval[1]))]
            at threshold \(String(format: "%.3f", threshold)): accuracy \(pct(accuracy)) \(ci(accuracyInterval)), \
            sensitivity \(pct(sensitivity)) \(ci(sensitivityInterval)), specificity \(pct(specificity)) \(ci(specificityInterval)), \
            precision \(pct(precision)), F1 \(String(format: "%.4f", f1))
            calibration: ECE (15 bins) \(String(format: "%.4f", ece)), Brier \(String(format: "%.4f", brier))
            confusion: TP \(c.truePositives)  FN \(c.falseNegatives)  FP \(c.falsePositives)  TN \(c.trueNegatives)
            """
    }
}
