import Evaluation
import Foundation
import ModelRuntime

/// Scores every image of a labels CSV with a model and measures it (`triage eval`), or
/// recalibrates the model on it (`triage calibrate`).
public struct TriageEvaluator {
    public let model: TriageModel
    public init(model: TriageModel) { self.model = model }

    /// Raw logits `[rows, classes]`, row-major in CSV order, in batches of `batchSize`.
    ///
    /// - Throws: `LabelsError.image` naming the CSV line of an image that cannot be scored.
    public func logits(_ data: LabelledImages, batchSize: Int = 256) throws -> [Float] {
        var logits: [Float] = []
        for start in stride(from: 0, to: data.rows.count, by: batchSize) {
            let rows = data.rows[start..<min(start + batchSize, data.rows.count)]
            let inputs = try rows.map { row in
                // Every image is scored: the input gate is measured apart (`GateFitting`).
                do { return try InputPipeline(model.spec.input).prepare(try Data(contentsOf: row.url), file: row.url.path) } catch {
                    throw LabelsError.image(path: data.path, line: row.line, detail: "\(row.file): \(error)")
                }
            }
            logits += model.network.forward(TriageModel.stack(inputs.map(\.tensor))).logits.scalars
        }
        return logits
    }

    /// - Throws: as `logits`, and `EvaluationError` when a class is absent.
    public func evaluate(_ data: LabelledImages) throws -> EvaluationReport {
        let spec = model.spec, classes = spec.labels.count
        let all = try logits(data)
        let scores = stride(from: 0, to: all.count, by: classes).map {
            TriageModel.softmax(all[$0..<($0 + classes)], offsets: spec.logitOffsets, temperature: spec.temperature)[spec.positiveIndex]
        }
        let predictions = try BinaryPredictions(labels: data.rows.map { $0.label == spec.positiveIndex }, probabilities: scores)
        return try EvaluationReport(data: data.path, predictions: predictions, threshold: spec.threshold)
    }

    /// The model's spec recalibrated on `data` (offsets from its training provenance).
    public func calibrated(on data: LabelledImages) throws -> TriageModelSpec {
        let spec = model.spec
        let offsets = spec.provenance.map {
            ModelCalibration.offsets(classWeighting: $0.settings.classWeighting, trainingCounts: $0.train.counts,
                                     labels: spec.labels)
        } ?? spec.logitOffsets
        return try ModelCalibration.calibrate(spec, logits: try logits(data), offsets: offsets, validation: data)
    }
}
