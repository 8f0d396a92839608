import Crypto
public import Foundation
public import ModelRuntime

/// A triage model folder loaded for scoring: `model.json` (`TriageModelSpec`) and
/// `weights.safetensors` (torchvision-named ResNet parameters, batch norms folded at load).
public struct TriageModel: Sendable {
    package static let specFile = "model.json"
    static let weightsFile = "weights.safetensors"
    public static let cardFile = "MODEL_CARD.md"
    /// Where the shipped model lives, relative to the repository root.
    public static let defaultRelativePath = "data/triage-model"

    public let spec: TriageModelSpec
    /// `<name>-<first 12 hex digits of the weights' SHA-256>`.
    public let id: String
    public let network: ResNet

    public init(spec: TriageModelSpec, network: ResNet, id: String) {
        self.spec = spec
        self.network = network
        self.id = id
    }

    /// Reads and checks a model folder; errors name the file and the field or tensor.
    public static func load(directory: URL) throws -> TriageModel {
        let spec = try TriageModelSpec.load(directory.appendingPathComponent(specFile))
        let weightsURL = directory.appendingPathComponent(weightsFile)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw TriageModelError.missingFile(path: weightsURL.path)
        }
        let network: ResNet
        do {
            network = try ResNet(config: spec.architecture, weights: try SafeTensorsFile(url: weightsURL))
        } catch let error as SafeTensorsError {
            throw TriageModelError.invalidWeights(path: weightsURL.path, detail: error.description)
        }
        let digest = SHA256.hash(data: try Data(contentsOf: weightsURL, options: .mappedIfSafe))
        let id = spec.name + "-" + digest.prefix(6).map { String(format: "%02x", $0) }.joined()
        return TriageModel(spec: spec, network: network, id: id)
    }

    /// The shipped model folder, looked up as `DefaultFolders` says (so `.build/release/triage`
    /// finds `data/triage-model`).
    public static func locateDefault(executable: String? = nil,
                                     workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> URL {
        if let found = DefaultFolders.first(defaultRelativePath, containing: specFile, executable: executable,
                                            workingDirectory: workingDirectory) { return found }
        throw TriageModelError.notFound(
            searched: DefaultFolders.candidates(defaultRelativePath, executable: executable,
                                                workingDirectory: workingDirectory).map(\.path))
    }

    /// Scores a batch on the caller's BLAS threads, with the heatmap of each decision.
    ///
    /// - Parameters:
    ///   - inputs: at least one, each with a `[channels, height, width]` tensor of the spec's input size.
    ///   - heatmap: how the heatmaps are made (`HeatmapMethod.shipped` unless measuring another).
    public func predict(_ inputs: [PreparedInput], heatmap: HeatmapMethod = .shipped) -> [Prediction] {
        precondition(!inputs.isEmpty, "predict needs at least one input")
        return predictions(Self.stack(inputs.map(\.tensor)), heatmap: heatmap).predictions
    }

    /// Scores a batch and applies the learned input gate (`spec.inputGate`, when the model has
    /// one): an input whose layout or pooled features lie beyond their thresholds is refused as
    /// `out_of_distribution`; the scores of the others are those of `predict`.
    ///
    /// - Parameter inputs: as `predict`'s (already through the cheap checks of `prepare`).
    package func assess(_ inputs: [PreparedInput]) -> [Result<Prediction, NotAssessable>] {
        precondition(!inputs.isEmpty, "assess needs at least one input")
        let (output, scored) = predictions(Self.stack(inputs.map(\.tensor)), heatmap: .shipped)
        guard let gate = spec.inputGate else { return scored.map { .success($0) } }
        return zip(inputs, zip(scored, FeatureGate.pooled(output.features))).map { input, scored in
            gate.refusal(input: input.tensor, features: scored.1).map { .failure($0) } ?? .success(scored.0)
        }
    }

    /// Calibrated scores of a batch, without heatmaps.
    ///
    /// - Parameter inputs: as `predict`'s.
    /// - Returns: the calibrated probability of the positive finding of each input.
    package func scores(_ inputs: [PreparedInput]) -> [Double] {
        precondition(!inputs.isEmpty, "scores needs at least one input")
        return decisions(network.forward(Self.stack(inputs.map(\.tensor))).logits).map { $0.probabilities[spec.positiveIndex] }
    }

    /// Scores `images` `[N, channels, height, width]` and makes the heatmap of each decision.
    ///
    /// - Returns: the forward pass (for the input gate) and the predictions.
    func predictions(_ images: Tensor, heatmap: HeatmapMethod) -> (output: ResNet.Output, predictions: [Prediction]) {
        let (output, maps) = heatmaps(images, heatmap)
        let decided = decisions(output.logits)
        let h = maps.shape[1], w = maps.shape[2], plane = h * w
        let values = maps.scalars
        let predictions = decided.enumerated().map { n, decision in
            let score = decision.probabilities[spec.positiveIndex]
            return Prediction(
                probabilities: Dictionary(uniqueKeysWithValues: zip(spec.labels, decision.probabilities)),
                score: score, positive: score >= spec.threshold, urgency: urgency(score),
                cam: Array(values[(n * plane)..<((n + 1) * plane)]), camWidth: w, camHeight: h)
        }
        return (output, predictions)
    }

    /// The calibrated probabilities of each image of a forward pass's logits `[N, classes]` and
    /// the class decided: the positive one when its probability reaches the threshold, else
    /// the other (two classes) or the most probable.
    func decisions(_ logits: Tensor) -> [(probabilities: [Double], decided: Int)] {
        let classes = spec.labels.count, positive = spec.positiveIndex
        let values = logits.scalars
        return (0..<logits.shape[0]).map { n in
            let p = Self.softmax(values[(n * classes)..<((n + 1) * classes)], offsets: spec.logitOffsets,
                                 temperature: spec.temperature)
            return (p, p[positive] >= spec.threshold ? positive : (classes == 2 ? 1 - positive : p.argmax))
        }
    }

    /// Per image, the combination of logits a heatmap explains, `[N, classes]`: the decided
    /// class's logit minus the other's with two classes (the margin the decision rests on), the
    /// decided class's logit otherwise.
    func decisionDirections(_ logits: Tensor) -> Tensor {
        margins(for: decisions(logits).map(\.decided))
    }

    /// `[N, classes]` rows, one per class of `classes`: +1 for that class, and −1 for the other
    /// with two classes (its margin), 0 elsewhere.
    func margins(for classes: [Int]) -> Tensor {
        let count = spec.labels.count
        return Tensor(shape: [classes.count, count]) { out in
            out.update(repeating: 0)
            for (n, k) in classes.enumerated() {
                out[n * count + k] = 1
                if count == 2 { out[n * count + 1 - k] = -1 }
            }
        }
    }

    /// The urgency level of a calibrated score.
    public func urgency(_ score: Double) -> Urgency {
        score >= spec.urgency.urgent ? .urgent : score >= spec.urgency.priority ? .priority : .routine
    }

    /// `[C, H, W]` tensors of one shape → `[N, C, H, W]`.
    static func stack(_ tensors: [Tensor]) -> Tensor {
        let shape = tensors[0].shape, per = tensors[0].count
        precondition(tensors.allSatisfy { $0.shape == shape }, "inputs of different shapes")
        return Tensor(shape: [tensors.count] + shape) { out in
            for (i, t) in tensors.enumerated() {
                t.withUnsafeBufferPointer { (out.baseAddress! + i * per).update(from: $0.baseAddress!, count: per) }
            }
        }
    }

    /// Softmax of `(logits + offsets) / temperature` in Double.
    static func softmax(_ logits: ArraySlice<Float>, offsets: [Double], temperature: Double) -> [Double] {
        let z = zip(logits, offsets).map { (Double($0) + $1) / temperature }
        let top = z.max() ?? 0
        let e = z.map { exp($0 - top) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

extension Array where Element == Double {
    var argmax: Int { indices.max { self[$0] < self[$1] } ?? 0 }
}
