package import Evaluation
package import Foundation
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
        let scores = try scores(data)
        let predictions = try BinaryPredictions(labels: scores.labels, probabilities: scores.probabilities)
        return try EvaluationReport(data: data.path, predictions: predictions, threshold: scores.threshold)
    }

    /// What `triage eval` measures, for the promotion gate (`PromotionGate`): per row, in CSV
    /// order, whether it is labelled positive and the model's calibrated P(positive) in [0, 1]
    /// (offsets and temperature of its spec), with the model's operating threshold.
    /// - Throws: as `logits`.
    package func scores(_ data: LabelledImages) throws -> BinaryScores {
        let spec = model.spec, classes = spec.labels.count
        let all = try logits(data)
        let probabilities = stride(from: 0, to: all.count, by: classes).map {
            TriageModel.softmax(all[$0..<($0 + classes)], offsets: spec.logitOffsets, temperature: spec.temperature)[spec.positiveIndex]
        }
        return BinaryScores(labels: data.rows.map { $0.label == spec.positiveIndex }, probabilities: probabilities,
                            threshold: spec.threshold)
    }

    /// The same from files, loaded as `triage eval --model DIR --labels FILE` loads them.
    /// - Parameters:
    ///   - modelFolder: a triage model folder (`model.json`, `weights.safetensors`).
    ///   - labels: a labels CSV `file,label` whose labels are the model's.
    /// - Throws: `TriageModelError` for the folder, `LabelsError` for the CSV or an image.
    package static func scores(modelFolder: URL, labels: String) throws -> BinaryScores {
        let model = try TriageModel.load(directory: modelFolder)
        return try TriageEvaluator(model: model).scores(LabelledImages(csv: labels, labels: model.spec.labels))
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
