import Evaluation
import Foundation

/// Scores every image of a labels CSV with a model and measures it (`triage eval`).
public struct TriageEvaluator {
    public let model: TriageModel
    public init(model: TriageModel) { self.model = model }

    /// - Throws: `LabelsError.image` naming the CSV line of an image that cannot be scored;
    ///   `EvaluationError` when a class is absent.
    public func evaluate(_ data: LabelledImages, batchSize: Int = 256) throws -> EvaluationReport {
        let positive = model.spec.positiveIndex
        var scores: [Double] = []
        for start in stride(from: 0, to: data.rows.count, by: batchSize) {
            let rows = data.rows[start..<min(start + batchSize, data.rows.count)]
            let inputs = try rows.map { row in
                do { return try model.prepare(try Data(contentsOf: row.url), file: row.url.path) } catch {
                    throw LabelsError.image(path: data.path, line: row.line, detail: "\(row.file): \(error)")
                }
            }
            scores += model.predict(inputs).map(\.score)
        }
        let predictions = try BinaryPredictions(labels: data.rows.map { $0.label == positive }, probabilities: scores)
        return try EvaluationReport(data: data.path, predictions: predictions, threshold: model.spec.threshold)
    }
}
