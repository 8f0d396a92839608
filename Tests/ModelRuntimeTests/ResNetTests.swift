import Foundation
import Testing
import TestSupport
@testable import ModelRuntime

/// `ResNet` against a torchvision-style PyTorch 2.13.0 module in eval mode, from
/// `tools/fixtures/resnet_golden.py`: three tiny configurations (basic / bottleneck blocks,
/// small / imagenet stems) with seeded weights and non-trivial batch-norm statistics, loaded
/// from safetensors under torchvision names through `ResNet.Config.load` and `SafeTensorsFile`.
/// Tolerance: |ours − torch| ≤ 1e-4 (absolute) for logits, features and class activation maps.
struct ResNetTests {
    struct Golden: Decodable {
        let inputShape, logitsShape, featuresShape: [Int]
        let input, logits, features: [Float]
        let cam: [[Float]]

        enum CodingKeys: String, CodingKey {
            case inputShape = "input_shape", logitsShape = "logits_shape", featuresShape = "features_shape"
            case input, logits, features, cam
        }
    }

    static func expectClose(_ ours: [Float], _ torch: [Float], _ what: String, tolerance: Float = 1e-4,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(ours.count == torch.count, "\(what): \(ours.count) values, expected \(torch.count)",
                sourceLocation: sourceLocation)
        var worst: Float = 0, failures = 0
        for (a, b) in zip(ours, torch) {
            let err = abs(a - b)
            worst = max(worst, err)
            if !(err <= tolerance) { failures += 1 }
        }
        #expect(failures == 0, "\(what): \(failures) values outside \(tolerance), max error \(worst)",
                sourceLocation: sourceLocation)
    }

    static func load(_ name: String) throws -> (ResNet, Golden) {
        let folder = Fixtures.url("resnet/\(name)")
        let config = try ResNet.Config.load(modelJSON: folder.appendingPathComponent("model.json"))
        let weights = try SafeTensorsFile(url: folder.appendingPathComponent("weights.safetensors"))
        let model = try ResNet(config: config, weights: weights)
        return (model, try Fixtures.json(Golden.self, "resnet/\(name)/golden.json"))
    }

    @Test(arguments: ["basic_small", "bottleneck_small", "basic_imagenet"])
    func forwardMatchesPyTorch(name: String) throws {
        let (model, golden) = try Self.load(name)
        let output = model.forward(Tensor(shape: golden.inputShape, values: golden.input))
        #expect(output.logits.shape == golden.logitsShape)
        #expect(output.features.shape == golden.featuresShape)
        Self.expectClose(output.logits.scalars, golden.logits, "\(name) logits")
        Self.expectClose(output.features.scalars, golden.features, "\(name) features")
        for k in 0..<model.config.classes {
            let cam = model.classActivationMaps(output, class: k)
            #expect(cam.shape == [golden.featuresShape[0], golden.featuresShape[2], golden.featuresShape[3]])
            Self.expectClose(cam.scalars, golden.cam[k], "\(name) CAM of class \(k)")
        }
    }

    @Test func perImageClassActivationMapsPickEachImagesClass() throws {
        let (model, golden) = try Self.load("basic_small")
        let output = model.forward(Tensor(shape: golden.inputShape, values: golden.input))
        let cam = model.classActivationMaps(output, classes: [2, 0]).scalars
        let plane = golden.featuresShape[2] * golden.featuresShape[3]
        Self.expectClose(Array(cam[0..<plane]), Array(golden.cam[2][0..<plane]), "image 0, class 2")
        Self.expectClose(Array(cam[plane...]), Array(golden.cam[0][plane...]), "image 1, class 0")
    }

    @Test func batchOfOneMatchesTheSameImageInABatch() throws {
        let (model, golden) = try Self.load("bottleneck_small")
        let shape = golden.inputShape, perImage = shape[1] * shape[2] * shape[3]
        let second = Tensor(shape: [1] + shape.dropFirst(), values: Array(golden.input[perImage...]))
        let logits = model.forward(second).logits.scalars
        Self.expectClose(logits, Array(golden.logits[model.config.classes...]), "image 1 alone")
    }

    @Test func freshWeightsBuildTheSameArchitecture() throws {
        let config = ResNet.Config(block: .bottleneck, stem: .imagenet, widths: [2, 4], depths: [1, 2],
                                   inputChannels: 3, classes: 5)
        try config.validate(path: "test")
        let model = try ResNet(config: config, weights: FreshWeights(seed: 7, rule: FreshWeights.torchvisionResNet()))
        let output = model.forward(Tensor(zeros: [3, 3, 20, 20]))
        #expect(output.logits.shape == [3, 5])
        #expect(output.features.shape == [3, 16, 3, 3])
    }

    // MARK: - Configuration and weight errors

    static func writeModelJSON(_ architecture: String) throws -> URL {
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent("model.json")
        try Data(#"{"architecture": \#(architecture), "labels": ["a", "b"]}"#.utf8).write(to: url)
        return url
    }

    static func loadError(_ architecture: String) throws -> ModelError? {
        let url = try writeModelJSON(architecture)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            _ = try ResNet.Config.load(modelJSON: url)
            return nil
        } catch let error as ModelError {
            return error
        }
    }

    static let valid = #"{"block": "basic", "stem": "small", "widths": [4, 8], "depths": [1, 1], "input_channels": 1, "classes": 3}"#

    @Test func validConfigLoads() throws {
        let url = try Self.writeModelJSON(Self.valid)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let config = try ResNet.Config.load(modelJSON: url)
        #expect(config == ResNet.Config(block: .basic, stem: .small, widths: [4, 8], depths: [1, 1],
                                        inputChannels: 1, classes: 3))
        #expect(config.features == 8)
    }

    @Test func unknownBlockKindThrowsNamingTheField() throws {
        let error = try Self.loadError(Self.valid.replacingOccurrences(of: "\"basic\"", with: "\"wide\""))
        let text = try #require(error).description
        #expect(text.contains("architecture.block") && text.contains("'wide'"), "\(text)")
    }

    @Test func unknownStemThrowsNamingTheField() throws {
        let error = try Self.loadError(Self.valid.replacingOccurrences(of: "\"small\"", with: "\"cifar\""))
        let text = try #require(error).description
        #expect(text.contains("architecture.stem") && text.contains("'cifar'"), "\(text)")
    }

    @Test func unknownFieldThrowsNamingIt() throws {
        let error = try Self.loadError(Self.valid.replacingOccurrences(of: "\"classes\"", with: "\"num_classes\""))
        let text = try #require(error).description
        #expect(text.contains("architecture.num_classes"), "\(text)")
    }

    @Test func inconsistentShapesThrow() throws {
        let mismatched = try #require(try Self.loadError(Self.valid.replacingOccurrences(of: "[1, 1]", with: "[1]")))
        #expect(mismatched.description.contains("2 widths but 1 depths"), "\(mismatched)")
        let zero = try #require(try Self.loadError(Self.valid.replacingOccurrences(of: "\"classes\": 3", with: "\"classes\": 0")))
        guard case .unsupported(_, let field, _) = zero else {
            Issue.record("expected unsupported, got \(zero)")
            return
        }
        #expect(field == "architecture.classes")
    }

    @Test func weightOfTheWrongShapeThrowsNamingTheTensor() throws {
        // The basic_small weights with a config whose second stage is wider than the file's.
        let weights = try SafeTensorsFile(url: Fixtures.url("resnet/basic_small/weights.safetensors"))
        let config = ResNet.Config(block: .basic, stem: .small, widths: [4, 16], depths: [1, 1], inputChannels: 1,
                                   classes: 3)
        #expect {
            _ = try ResNet(config: config, weights: weights)
        } throws: { error in
            guard case SafeTensorsError.shapeMismatch(_, let tensor, let expected, let found) = error else { return false }
            return tensor == "layer2.0.conv1.weight" && expected == [16, 4, 3, 3] && found == [8, 4, 3, 3]
        }
    }

    @Test func missingWeightThrowsNamingTheTensor() throws {
        let weights = try SafeTensorsFile(url: Fixtures.url("resnet/basic_small/weights.safetensors"))
        let config = ResNet.Config(block: .basic, stem: .small, widths: [4, 8], depths: [1, 2], inputChannels: 1,
                                   classes: 3)
        #expect {
            _ = try ResNet(config: config, weights: weights)
        } throws: { error in
            guard case SafeTensorsError.missingTensor(_, let tensor) = error else { return false }
            return tensor == "layer2.1.conv1.weight"
        }
    }
}
