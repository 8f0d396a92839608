import Foundation
import Testing
import TestSupport
@testable import ModelRuntime

/// `ResNet.gradCAM` against PyTorch autograd (`tools/fixtures/resnet_golden.py`, `gradcam.json`):
/// the eval-mode Grad-CAM of every stage's output, for every class logit and for the margin
/// `logits[1] − logits[0]`, on the three tiny fixtures. Tolerance 1e-5 absolute (maps are of
/// order 0.01–0.1).
struct ResNetGradCAMTests {
    struct Golden: Decodable {
        let stageShapes: [[Int]]
        /// `[stage][class]` → `[N, h_s, w_s]`
        let gradcam: [[[Float]]]
        /// `[stage]` → `[N, h_s, w_s]`
        let margin: [[Float]]

        enum CodingKeys: String, CodingKey { case stageShapes = "stage_shapes", gradcam, margin }
    }

    /// One row per image: `weights` for every image.
    static func rows(_ weights: [Float], batch: Int) -> Tensor {
        Tensor(shape: [batch, weights.count], values: Array((0..<batch).map { _ in weights }.joined()))
    }

    @Test(arguments: ["basic_small", "bottleneck_small", "basic_imagenet"])
    func gradCAMOfEveryStageMatchesPyTorch(name: String) throws {
        let (model, golden) = try ResNetTests.load(name)
        let expected = try Fixtures.json(Golden.self, "resnet/\(name)/gradcam.json")
        let images = Tensor(shape: golden.inputShape, values: golden.input)
        let batch = golden.inputShape[0], classes = model.config.classes
        for stage in model.config.depths.indices {
            let pass = model.forward(images, keepingStage: stage)
            ResNetTests.expectClose(pass.output.logits.scalars, golden.logits, "\(name) stage \(stage) logits")
            let shape = expected.stageShapes[stage]
            for k in 0..<classes {
                let oneHot = (0..<classes).map { Float($0 == k ? 1 : 0) }
                let map = model.gradCAM(pass, logitsGradient: Self.rows(oneHot, batch: batch))
                #expect(map.shape == [shape[0], shape[2], shape[3]])
                ResNetTests.expectClose(map.scalars, expected.gradcam[stage][k], "\(name) stage \(stage) class \(k)",
                                        tolerance: 1e-5)
            }
            let difference = (0..<classes).map { Float($0 == 1 ? 1 : $0 == 0 ? -1 : 0) }
            ResNetTests.expectClose(model.gradCAM(pass, logitsGradient: Self.rows(difference, batch: batch)).scalars,
                                    expected.margin[stage], "\(name) stage \(stage) margin", tolerance: 1e-5)
        }
    }

    /// The golden maps are neither symmetric nor alike across classes, so the comparison above
    /// fails for a transposed map or one of the wrong class; and per-image rows pick each
    /// image's class.
    @Test func theGoldenTellsTranspositionAndClassApartAndRowsPickEachImagesClass() throws {
        let (model, golden) = try ResNetTests.load("basic_small")
        let expected = try Fixtures.json(Golden.self, "resnet/basic_small/gradcam.json")
        let side = expected.stageShapes[0][2], plane = side * side
        let map = Array(expected.gradcam[0][2][0..<plane])
        let transposed = (0..<plane).map { map[($0 % side) * side + $0 / side] }
        #expect(zip(map, transposed).map { abs($0 - $1) }.max()! > 1e-3)
        #expect(zip(map, expected.gradcam[0][0][0..<plane]).map { abs($0 - $1) }.max()! > 1e-3)

        let pass = model.forward(Tensor(shape: golden.inputShape, values: golden.input), keepingStage: 0)
        let mixed = model.gradCAM(pass, logitsGradient: Tensor(shape: [2, 3], values: [0, 0, 1, 1, 0, 0])).scalars
        ResNetTests.expectClose(Array(mixed[0..<plane]), map, "image 0, class 2", tolerance: 1e-5)
        ResNetTests.expectClose(Array(mixed[plane...]), Array(expected.gradcam[0][0][plane...]), "image 1, class 0",
                                tolerance: 1e-5)
    }

    /// Of the last stage, Grad-CAM is the class activation map divided by h · w.
    @Test func lastStageGradCAMIsTheClassActivationMapOverItsArea() throws {
        let (model, golden) = try ResNetTests.load("bottleneck_small")
        let images = Tensor(shape: golden.inputShape, values: golden.input)
        let last = model.config.depths.count - 1
        let pass = model.forward(images, keepingStage: last)
        let area = Float(golden.featuresShape[2] * golden.featuresShape[3])
        let map = model.gradCAM(pass, logitsGradient: Self.rows([0, 1, 0], batch: 2)).scalars
        let cam = model.classActivationMaps(model.forward(images), class: 1).scalars
        ResNetTests.expectClose(map.map { $0 * area }, cam, "CAM from Grad-CAM", tolerance: 1e-5)
    }
}
