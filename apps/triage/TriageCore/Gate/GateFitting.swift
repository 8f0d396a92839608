import Evaluation
import Foundation
import Imaging
import ModelRuntime

/// Fits the learned input gate of a model and measures the whole gate: the last step of
/// `triage train`, and `triage calibrate --gate-labels` on an existing model.
package struct GateFitting {
    package let model: TriageModel
    package init(model: TriageModel) { self.model = model }

    /// What the network makes of every image of a labels CSV, read without the gate.
    struct Forward {
        /// Raw logits `[rows, classes]`, row-major in CSV order.
        var logits: [Float] = []
        /// Pooled last-stage features `[rows][features]`.
        var features: [[Double]] = []
        /// The decoded grey images, in CSV order.
        var grey: [Image] = []
        /// The model inputs `[channels, height, width]`, in CSV order.
        var inputs: [Tensor] = []
    }

    /// - Throws: `LabelsError.image` naming the CSV line of an image that cannot be read.
    func forward(_ data: LabelledImages, batchSize: Int = 256) throws -> Forward {
        let pipeline = InputPipeline(model.spec.input)
        var result = Forward()
        for start in stride(from: 0, to: data.rows.count, by: batchSize) {
            var tensors: [Tensor] = []
            for row in data.rows[start..<min(start + batchSize, data.rows.count)] {
                do {
                    let decoded = try pipeline.decode(try Data(contentsOf: row.url), file: row.url.path)
                    tensors.append(pipeline.normalized(pipeline.unitInput(decoded.gray)))
                    result.grey.append(decoded.gray)
                } catch {
                    throw LabelsError.image(path: data.path, line: row.line, detail: "\(row.file): \(error)")
                }
            }
            result.inputs += tensors
            let output = model.network.forward(TriageModel.stack(tensors))
            result.logits += output.logits.scalars
            result.features += FeatureGate.pooled(output.features)
        }
        return result
    }

    /// The model's spec with a gate fitted on `train` (means, covariances, the framing regression)
    /// and `validation` (thresholds), and its figures measured.
    package func fitted(train: LabelledImages, validation: LabelledImages) throws -> TriageModelSpec {
        let trainForward = try forward(train)
        let validationForward = try forward(validation)
        let labels = train.rows.map(\.label), classes = model.spec.labels.count, grid = LayoutGate.grid(for: model.spec.input)
        let trainLayout = trainForward.inputs.map { LayoutGate.vector($0, grid: grid) }
        let validationLayout = validationForward.inputs.map { LayoutGate.vector($0, grid: grid) }
        var gate = FeatureGate.fit(train: trainForward.features, labels: labels, classes: classes,
                                   validation: validationForward.features)
        gate.layout = LayoutGate.fit(grid: grid, train: trainLayout, labels: labels, classes: classes, validation: validationLayout)
        let negatives = FramingCheck.negatives(of: trainForward.inputs)
        func joined(_ layout: [[Double]], _ features: [[Double]]) -> [[Double]] {
            zip(layout, features).map { $0 + gate.whitened($1) }
        }
        gate.framing = FramingCheck.fit(
            train: joined(trainLayout, trainForward.features),
            framed: joined(negatives.map { LayoutGate.vector($0, grid: grid) }, pooledFeatures(negatives)),
            validation: joined(validationLayout, validationForward.features))
        var spec = model.spec
        spec.inputGate = gate
        let gated = TriageModel(spec: spec, network: model.network, id: model.id)
        gate.figures = try GateFitting(model: gated).measure(validation, validationForward)
        spec.inputGate = gate
        return spec
    }

    /// Pooled last-stage features `[inputs.count][features]` of model inputs `[channels, height, width]`.
    func pooledFeatures(_ inputs: [Tensor], batchSize: Int = 256) -> [[Double]] {
        stride(from: 0, to: inputs.count, by: batchSize).flatMap { start in
            FeatureGate.pooled(model.network.forward(TriageModel.stack(Array(inputs[start..<min(start + batchSize, inputs.count)]))).features)
        }
    }

    /// Measures the model's whole gate (cheap checks, and its `FeatureGate` when it has one).
    package func measure(_ validation: LabelledImages) throws -> GateFigures {
        try measure(validation, try forward(validation))
    }

    func measure(_ validation: LabelledImages, _ forward: Forward) throws -> GateFigures {
        let spec = model.spec, classes = spec.labels.count
        let scores = stride(from: 0, to: forward.logits.count, by: classes).map {
            TriageModel.softmax(forward.logits[$0..<($0 + classes)], offsets: spec.logitOffsets, temperature: spec.temperature)[spec.positiveIndex]
        }
        let labels = validation.rows.map { $0.label == spec.positiveIndex }
        let passed = forward.grey.indices.map { i in
            (try? InputChecks.standard.check(forward.grey[i])) != nil
                && spec.inputGate?.refusal(input: forward.inputs[i], features: forward.features[i]) == nil
        }
        let kept = passed.indices.filter { passed[$0] }
        let all = try BinaryPredictions(labels: labels, probabilities: scores).rocAUC()
        let onPassed = try? BinaryPredictions(labels: kept.map { labels[$0] }, probabilities: kept.map { scores[$0] }).rocAUC()
        let heldOut = try refusals(NonRadiographs.make(.heldOut, radiographs: forward.grey))
        let fit = try refusals(NonRadiographs.make(.fit, radiographs: forward.grey))
        var byKind: [String: Double] = [:]
        for (kind, outcomes) in Dictionary(grouping: heldOut, by: \.kind) {
            byKind[kind] = Double(outcomes.filter(\.refused).count) / Double(outcomes.count)
        }
        return GateFigures(
            validationData: validation.path, validationImages: validation.rows.count,
            validationPassed: Double(kept.count) / Double(passed.count), validationAUC: all, validationAUCPassed: onPassed,
            heldOutImages: heldOut.count, heldOutRefused: Double(heldOut.filter(\.refused).count) / Double(heldOut.count),
            heldOutRefusedByKind: byKind, fitImages: fit.count,
            fitRefused: Double(fit.filter(\.refused).count) / Double(fit.count))
    }

    /// Each sample written as a PNG and taken through `prepare` and `assess`, as `triage scan` takes a file.
    func refusals(_ samples: [NonRadiographs.Sample]) throws -> [(kind: String, refused: Bool)] {
        try samples.map { sample in
            let png = try PNGCodec.encode(sample.image, compressionLevel: 1)
            do {
                let input = try model.prepare(png, file: "\(sample.kind).png")
                if case .failure = model.assess([input])[0] { return (sample.kind, true) }
                return (sample.kind, false)
            } catch is NotAssessable {
                return (sample.kind, true)
            }
        }
    }
}
