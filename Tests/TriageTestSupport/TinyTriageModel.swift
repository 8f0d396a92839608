public import Foundation
import ModelRuntime
import TestSupport
public import TriageCore

/// A tiny random-weight triage model folder for tests (its scores mean nothing): a two-stage
/// basic ResNet on 16×16 gray inputs, written with the product's own folder writer.
public enum TinyTriageModel {
    public static let spec = TriageModelSpec(
        name: "tiny-test-model",
        architecture: ResNet.Config(block: .basic, stem: .small, widths: [4, 8], depths: [1, 1], inputChannels: 1, classes: 2),
        input: .init(width: 16, height: 16, mean: [0.5], std: [0.25]), labels: ["normal", "pneumonia"],
        positiveLabel: "pneumonia", temperature: 1, threshold: 0.5, thresholdRule: "test fixture",
        urgency: .init(priority: 0.5, urgent: 0.8))

    /// Writes the folder into `directory` (created if needed); the same seed writes the same weights.
    @discardableResult
    public static func write(to directory: URL, seed: UInt64 = 7) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let network = try TrainableResNet(
            config: spec.architecture,
            weights: FreshWeights(seed: seed, rule: FreshWeights.torchvisionResNet(classifierInFeatures: 8)))
        let weights = directory.appendingPathComponent("weights.tmp")
        try SafeTensorsWriter.write(network.parameters.namedTensors(), to: weights)
        try ModelFolderWriter.write(spec: spec, weights: weights, to: directory)
        return directory
    }

    /// A fresh temporary folder holding the model, loaded.
    public static func load() throws -> (model: TriageModel, folder: URL) {
        let folder = try write(to: Fixtures.temporaryDirectory())
        return (try TriageModel.load(directory: folder), folder)
    }
}
