import Foundation
import Testing
import TestSupport
@testable import ModelRuntime

/// `TrainableResNet` against PyTorch 2.13.0 in train mode (`tools/fixtures/resnet_golden.py`,
/// `train_step.json`): from the same seeded weights, one forward pass with batch statistics,
/// the class-weighted cross-entropy, and the backward pass. Gradients must match within 1e-4
/// relative to the largest gradient of each tensor (plus 1e-6 absolute), logits and running
/// statistics within 1e-4.
struct ResNetTrainingTests {
    struct Step: Decodable {
        let labels: [Int]
        let classWeights: [Float]
        let logits: [Float]
        let loss: Float
        let gradients: [String: [Float]]
        let running: [String: [Float]]
        enum CodingKeys: String, CodingKey {
            case labels, classWeights = "class_weights", logits, loss, gradients, running
        }
    }

    static func load(_ name: String) throws -> (TrainableResNet, ResNetTests.Golden, Step) {
        let folder = Fixtures.url("resnet/\(name)")
        let config = try ResNet.Config.load(modelJSON: folder.appendingPathComponent("model.json"))
        let network = try TrainableResNet(config: config,
                                          weights: try SafeTensorsFile(url: folder.appendingPathComponent("weights.safetensors")))
        return (network, try Fixtures.json(ResNetTests.Golden.self, "resnet/\(name)/golden.json"),
                try Fixtures.json(Step.self, "resnet/\(name)/train_step.json"))
    }

    @Test(arguments: ["basic_small", "bottleneck_small", "basic_imagenet"])
    func trainingStepMatchesPyTorch(name: String) throws {
        let (network, golden, step) = try Self.load(name)
        let (logits, tape) = network.forward(Tensor(shape: golden.inputShape, values: golden.input))
        ResNetTests.expectClose(logits.scalars, step.logits, "\(name) train-mode logits")
        let (loss, gradient) = CrossEntropyLoss.softmax(logits: logits, labels: step.labels, classWeights: step.classWeights)
        #expect(abs(loss - step.loss) <= 1e-4 * max(1, abs(step.loss)), "\(name) loss \(loss) vs \(step.loss)")
        network.parameters.zeroGradients()
        network.backward(tape, logitsGradient: gradient)
        let p = network.parameters
        var checked = 0
        for (tensorName, expected) in step.gradients {
            let handle = try #require(p.handle(tensorName), "\(tensorName) not registered")
            let ours = Array(p.gradient(handle))
            let scale = expected.map(abs).max() ?? 0
            ResNetTests.expectClose(ours, expected, "\(name) ∂L/∂\(tensorName)", tolerance: 1e-4 * scale + 1e-6)
            checked += 1
        }
        // Every trained tensor has a PyTorch gradient, and every buffer a running statistic.
        #expect(checked == p.entries.filter { $0.kind != .buffer }.count)
        for (bufferName, expected) in step.running {
            let handle = try #require(p.handle(bufferName), "\(bufferName) not registered")
            ResNetTests.expectClose(Array(p.value(handle)), expected, "\(name) \(bufferName) after the step")
        }
        #expect(step.running.count == p.entries.filter { $0.kind == .buffer }.count)
    }

    /// The eval-mode network built from the training parameters is the checkpoint's network.
    @Test func inferenceModelFromParametersEqualsTheCheckpoint() throws {
        let (network, golden, _) = try Self.load("basic_small")
        let output = try network.inferenceModel().forward(Tensor(shape: golden.inputShape, values: golden.input))
        ResNetTests.expectClose(output.logits.scalars, golden.logits, "eval logits from the parameter set")
    }

    /// Whole-network finite differences in Double-checked Float: the loss change for a small
    /// step along each sampled parameter matches the analytic gradient (central differences).
    @Test func gradientsMatchFiniteDifferences() throws {
        let config = ResNet.Config(block: .basic, stem: .small, widths: [3, 4], depths: [1, 1], inputChannels: 1, classes: 2)
        let network = try TrainableResNet(
            config: config, weights: FreshWeights(seed: 7, rule: FreshWeights.torchvisionResNet(classifierInFeatures: 4)))
        network.batchNormMomentum = 0  // keep the running statistics fixed across the repeated passes
        var generator = SeededGenerator(seed: 3)
        let images = WeightInit.normal(mean: 0, std: 1).tensor([3, 1, 6, 6], using: &generator)
        let labels = [0, 1, 1]
        func loss() -> Double {
            let (logits, _) = network.forward(images)
            return Double(CrossEntropyLoss.softmax(logits: logits, labels: labels).loss)
        }
        let (logits, tape) = network.forward(images)
        network.parameters.zeroGradients()
        network.backward(tape, logitsGradient: CrossEntropyLoss.softmax(logits: logits, labels: labels).gradient)
        let compared = GradientCheck.expectParameterGradients(network.parameters, step: 2e-4,
                                                              positions: { Set([0, $0 / 2, $0 - 1]) }, "ResNet",
                                                              loss: loss)
        #expect(compared > 30)
    }
}
