import Evaluation
import Foundation

/// Post-hoc calibration and thresholds, from validation logits: shared by `triage train` (its
/// last step) and `triage calibrate` (the same step on an existing model, e.g. for a site's
/// own validation data).
///
/// 1. Logit offsets undo the class-weighted loss: training with balanced weights
///    `w_c = N / (K · N_c)` fits the classes as if they were equally frequent, so
///    `log(1 / w_c) = log(K · π_c)` (π_c the training prevalence) is added back to each logit.
/// 2. One temperature minimises the validation negative log-likelihood of
///    `softmax((logits + offsets) / T)`.
/// 3. `OperatingThresholds` picks the operating and urgency thresholds on the calibrated scores.
enum ModelCalibration {
    /// `log(K · π_c)` for `balanced` class weighting, zeros for `none`.
    static func offsets(classWeighting: TrainingSettings.ClassWeighting, trainingCounts: [String: Int], labels: [String]) -> [Double] {
        guard classWeighting == .balanced else { return Array(repeating: 0, count: labels.count) }
        let total = Double(labels.reduce(0) { $0 + (trainingCounts[$1] ?? 0) })
        return labels.map { label in
            let count = Double(trainingCounts[label] ?? 0)
            return count > 0 && total > 0 ? log(Double(labels.count) * count / total) : 0
        }
    }

    /// The spec with its calibration, thresholds and validation figures replaced.
    ///
    /// - Parameters:
    ///   - logits: raw logits `[validation.rows.count, classes]`, row-major, in CSV order.
    ///   - offsets: from `offsets(classWeighting:trainingCounts:labels:)`.
    static func calibrate(_ spec: TriageModelSpec, logits: [Float], offsets: [Double],
                                 validation: LabelledImages) throws -> TriageModelSpec {
        let classes = spec.labels.count, positive = spec.positiveIndex
        precondition(logits.count == validation.rows.count * classes, "one row of logits per validation image")
        let shifted = logits.enumerated().map { Double($0.element) + offsets[$0.offset % classes] }
        let fit = try TemperatureScaling.fit(logits: shifted, classCount: classes, labels: validation.rows.map(\.label))
        let scores = stride(from: 0, to: logits.count, by: classes).map {
            TriageModel.softmax(logits[$0..<($0 + classes)], offsets: offsets, temperature: fit.temperature)[positive]
        }
        let calibrated = try BinaryPredictions(labels: validation.rows.map { $0.label == positive }, probabilities: scores)
        let (threshold, urgency) = try OperatingThresholds.choose(calibrated)
        var result = spec
        result.logitOffsets = offsets
        result.temperature = fit.temperature
        result.threshold = threshold
        result.thresholdRule = OperatingThresholds.rule
        result.urgency = urgency
        result.validation = try EvaluationReport(data: validation.path, predictions: calibrated, threshold: threshold)
        return result
    }
}
