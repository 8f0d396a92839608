import Foundation
import Imaging
import ModelRuntime
import TestSupport
import Testing
import TriageTestSupport
@testable import TriageCore

/// Heatmaps: upsampling, the region the map covers, colours, overlays, thumbnails, and the
/// faithfulness figure.
struct ExplainTests {
    @Test func saliencyIsBilinearWithAlignedCentresAndScaledToTheMaximum() {
        // 2×1 map [0, 4] onto 4 pixels: positions −0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1.
        let map = ActivationMap(values: [0, 4], width: 2, height: 1)
        let s = SaliencyMap(map, width: 4, height: 1, region: ImageRegion(x: 0, y: 0, width: 4, height: 1))
        #expect(s.values == [0, 0.25, 0.75, 1])
        // Evidence against the decision (negative) counts as not salient; outside the region is 0.
        let mixed = SaliencyMap(ActivationMap(values: [-2, 1], width: 2, height: 1), width: 6, height: 1,
                                region: ImageRegion(x: 1, y: 0, width: 4, height: 1))
        #expect(mixed.values == [0, 0, 0, 0.25, 1, 0])  // −2, −1.25, 0.25, 1 before the cut at 0
        #expect(SaliencyMap(ActivationMap(values: [-1, -1], width: 2, height: 1), width: 3, height: 1,
                            region: ImageRegion(x: 0, y: 0, width: 3, height: 1)).values == [0, 0, 0])
        #expect(s.mostSalient(fraction: 0.5) == [3, 2])
    }

    @Test func theMapCoversTheCentreSquareTheModelSaw() {
        let crop = TriageModelSpec.Input(width: 8, height: 8, mean: [0.5], std: [0.25], crop: .centerSquare)
        #expect(ImageRegion.modelView(crop, width: 300, height: 200) == ImageRegion(x: 50, y: 0, width: 200, height: 200))
        #expect(ImageRegion.modelView(crop, width: 201, height: 300) == ImageRegion(x: 0, y: 50, width: 201, height: 201))
        let squash = TriageModelSpec.Input(width: 8, height: 8, mean: [0.5], std: [0.25], crop: .none)
        #expect(ImageRegion.modelView(squash, width: 300, height: 200) == ImageRegion(x: 0, y: 0, width: 300, height: 200))
    }

    @Test func heatmapsAreViridisAndOverlaysKeepTheImageWhereNothingIsSalient() {
        #expect(Viridis.table.count == 256)
        #expect(Viridis.color(0) == (Float(0x44) / 255, Float(0x01) / 255, Float(0x54) / 255))
        #expect(Viridis.color(1) == (Float(0xFD) / 255, Float(0xE7) / 255, Float(0x25) / 255))
        let display = Image(width: 4, height: 2, colorModel: .gray, samples: .float32([0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.2]))
        let map = ActivationMap(values: [0, 1], width: 2, height: 1)
        let region = ImageRegion(x: 0, y: 0, width: 4, height: 2)
        let plain = HeatmapRenderer.render(map, over: display, region: region, overlay: false)
        #expect(plain.width == 4 && plain.height == 2 && plain.colorModel == .rgb)
        #expect(Array(plain.uint8Samples![0..<3]) == [0x44, 0x01, 0x54] && Array(plain.uint8Samples![9..<12]) == [0xFD, 0xE7, 0x25])
        let blended = HeatmapRenderer.render(map, over: display, region: region, overlay: true).uint8Samples!
        #expect(Array(blended[0..<3]) == [128, 128, 128] && Array(blended[12..<15]) == [51, 51, 51])  // saliency 0: the image
        let top = blended[9..<12].map(Int.init), expected = [0xFD, 0xE7, 0x25].map { 0.4 * 127.5 + 0.6 * Double($0) }
        #expect(zip(top, expected).allSatisfy { abs(Double($0) - $1) <= 1 })
    }

    @Test func thumbnailsAverageAreasAndKeepTheAspect() {
        let wide = Image(width: 512, height: 256, colorModel: .gray, samples: .float32((0..<(512 * 256)).map { Float($0 % 512 < 256 ? 0 : 1) }))
        let t = Thumbnail.make(wide)
        #expect(t.width == 128 && t.height == 64 && t.colorModel == .gray)
        #expect(t.uint8Samples![0] == 0 && t.uint8Samples![127] == 255)
        let small = Image(width: 20, height: 10, colorModel: .gray, samples: .float32(Array(repeating: 0.5, count: 200)))
        #expect(Thumbnail.make(small).width == 20 && Thumbnail.make(small).uint8Samples!.allSatisfy { $0 == 128 })
    }

    @Test func faithfulnessMasksTheMostSalientPixelsOfTheModelInput() throws {
        let (model, folder) = try TinyTriageModel.load()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SeededGenerator(seed: 3)
        let pixels = ChestPhantom(opacity: 0.8).render(size: 48, generator: &generator)
        let png = try PNGCodec.encode(Image(width: 48, height: 48, colorModel: .gray, samples: .uint8(pixels.map { UInt8($0 * 255) })))
        let input = try model.prepare(png, file: "p.png")
        let prediction = model.predict([input])[0]
        let f = Faithfulness.measure(model: model, input: input, prediction: prediction, topFraction: 0.25)
        let confidence = prediction.positive ? prediction.score : 1 - prediction.score
        #expect(abs(f.confidence - confidence) < 1e-12 && f.topFraction == 0.25)
        #expect(abs(f.drop - (f.confidence - f.maskedConfidence)) < 1e-12 && abs(f.randomDrop - (f.confidence - f.randomMaskedConfidence)) < 1e-12)
        #expect(f.maskedConfidence != f.confidence)  // 25% of the input changed
        #expect(Faithfulness.measure(model: model, input: input, prediction: prediction, topFraction: 0.25) == f)  // seeded
    }

    /// The pointing game's parts: the planted opacity on the normalised input, the hit test, the
    /// chance level, and a seeded, repeatable run.
    @Test func thePointingGamePlantsAnOpacityAndCountsPeaksInsideIt() throws {
        let spec = TriageModelSpec.Input(width: 8, height: 8, mean: [0.5], std: [0.25])
        let flat = PreparedInput(tensor: Tensor(shape: [1, 8, 8], values: [Float](repeating: 0, count: 64)), format: .png,
                                 dicom: nil, gray: Image(width: 1, height: 1, colorModel: .gray, samples: .uint8([0])))
        let planted = PointingGame.withOpacity(flat, cx: 4, cy: 4, radius: 2, amplitude: 0.4, spec: spec).tensor.scalars
        // Pixel (3, 3) has its centre at (3.5, 3.5): d² = 0.5, σ = 1 → 0.4·e^(−0.25) display units → ÷ std 0.25.
        #expect(abs(planted[3 * 8 + 3] - 0.4 * Float(exp(-0.25)) / 0.25) < 1e-6)
        #expect(planted[0] < 1e-4 && planted.max() == planted[3 * 8 + 3])
        // Capped at white: 0.5 + 0.9 display units clips to 1, i.e. (1 − 0.5) / 0.25 = 2.
        let white = PointingGame.withOpacity(flat, cx: 4, cy: 4, radius: 2, amplitude: 0.9, spec: spec).tensor.scalars
        #expect(white.max() == 2)
        #expect(PointingGame.isHit(peak: 3 * 8 + 3, width: 8, cx: 4, cy: 4, radius: 1))  // (3.5, 3.5): d ≈ 0.71
        #expect(!PointingGame.isHit(peak: 3 * 8 + 1, width: 8, cx: 4, cy: 4, radius: 1))  // (1.5, 3.5): d ≈ 2.55
        // A radius-1 disc around a centre covers about π ≈ 3.1 pixel centres of 64.
        let share = PointingGame.discShare(width: 8, height: 8, radius: 1)
        #expect(share > 2.0 / 64 && share < 4.5 / 64)

        let (model, folder) = try TinyTriageModel.load()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SeededGenerator(seed: 5)
        let inputs = try (0..<4).map { _ in
            let pixels = ChestPhantom(opacity: 0.1).render(size: 48, generator: &generator)
            return try model.prepare(try PNGCodec.encode(Image(width: 48, height: 48, colorModel: .gray,
                                                               samples: .uint8(pixels.map { UInt8($0 * 255) }))), file: "p.png")
        }
        let game = PointingGame.play(model: model, inputs: inputs)
        #expect(game.images == 4 && (0...4).contains(game.hits) && game.hitRate == Double(game.hits) / 4)
        #expect(game == PointingGame.play(model: model, inputs: inputs))  // seeded
    }

    /// A tiny-model input from a seeded phantom, and the margin of the decision from logits
    /// `[normal, pneumonia]` (the pneumonia logit minus the normal one when positive).
    static func phantomInput(_ model: TriageModel, seed: UInt64) throws -> PreparedInput {
        var generator = SeededGenerator(seed: seed)
        let pixels = ChestPhantom(opacity: 0.6).render(size: 48, generator: &generator)
        return try model.prepare(try PNGCodec.encode(Image(width: 48, height: 48, colorModel: .gray,
                                                           samples: .uint8(pixels.map { UInt8($0 * 255) }))), file: "p.png")
    }

    static func margin(_ logits: [Float], positive: Bool) -> Float { positive ? logits[1] - logits[0] : logits[0] - logits[1] }

    /// Grad-CAM heatmaps are `ResNet.gradCAM` of the decision's margin at the stage's
    /// resolution (not the other class's, which is its negative), and the CAM is the last
    /// stage's Grad-CAM times its area.
    @Test func gradCAMHeatmapsExplainTheDecisionsMargin() throws {
        let (model, folder) = try TinyTriageModel.load()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = try [3, 4, 5, 6].map { try Self.phantomInput(model, seed: $0) }
        let images = TriageModel.stack(inputs.map(\.tensor))
        let predictions = model.predict(inputs, heatmap: .gradCAM(stage: 0))
        let pass = model.network.forward(images, keepingStage: 0)
        for (n, prediction) in predictions.enumerated() {
            #expect(prediction.camWidth == 16 && prediction.camHeight == 16)
            let decided: [Float] = prediction.positive ? [-1, 1] : [1, -1]
            let rows = Tensor(shape: [4, 2], values: (0..<4).flatMap { $0 == n ? decided : [0, 0] })
            let expected = Array(model.network.gradCAM(pass, logitsGradient: rows).scalars[(n * 256)..<((n + 1) * 256)])
            #expect(zip(prediction.cam, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
            #expect(zip(prediction.cam, expected).contains { abs($0 + $1) > 1e-4 })  // the other class's would be −expected
        }
        let cams = model.predict(inputs, heatmap: .cam)
        let lastStage = model.predict(inputs, heatmap: .gradCAM(stage: 1))
        for (cam, grad) in zip(cams, lastStage) {
            #expect(cam.camWidth == 8 && grad.camWidth == 8 && cam.score == grad.score)
            #expect(zip(cam.cam, grad.cam).allSatisfy { abs($0 - 64 * $1) <= 1e-4 })
        }
    }

    /// Occlusion heatmaps against scoring the occluded image directly: the 2·cell square centred
    /// on the cell (clipped at the border) set to the image's mean, the margin's drop.
    @Test func occlusionMapsAreTheMarginDropOfDirectRescoring() throws {
        let (model, folder) = try TinyTriageModel.load()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.phantomInput(model, seed: 8)
        let prediction = model.predict([input], heatmap: .occlusion(cell: 4))[0]
        #expect(prediction.camWidth == 4 && prediction.camHeight == 4 && prediction.cam.count == 16)
        let pixels = input.tensor.scalars, mean = pixels.reduce(0, +) / Float(pixels.count)
        func logits(_ values: [Float]) -> [Float] { model.network.forward(Tensor(shape: [1, 1, 16, 16], values: values)).logits.scalars }
        let base = Self.margin(logits(pixels), positive: prediction.positive)
        // (row, column) → the rows and columns set to the mean.
        for (row, column, ys, xs) in [(1, 2, 2..<10, 6..<14), (0, 0, 0..<6, 0..<6), (3, 1, 10..<16, 2..<10)] {
            var occluded = pixels
            for y in ys { for x in xs { occluded[y * 16 + x] = mean } }
            let drop = base - Self.margin(logits(occluded), positive: prediction.positive)
            #expect(abs(prediction.cam[row * 4 + column] - drop) <= 1e-5, "cell (\(row), \(column))")
        }
        #expect(abs(prediction.cam[1 * 4 + 2] - prediction.cam[2 * 4 + 1]) > 1e-5)  // not symmetric: a transpose would show
    }

    @Test func heatmapMethodsParseTheirNames() {
        for method in [HeatmapMethod.cam, .gradCAM(stage: 1), .occlusion(cell: 2)] {
            #expect(HeatmapMethod(method.description) == method)
        }
        #expect(HeatmapMethod("grad-cam") == nil && HeatmapMethod("occlusion:0") == nil && HeatmapMethod("cam:1") == nil)
    }

    /// With two classes every method is linear in the explained margin, so the finding's map is
    /// the decision's when the decision is positive and its negation when it is negative.
    @Test func theFindingsMapIsTheDecisionsTurnedTowardsTheFinding() throws {
        let (tiny, folder) = try TinyTriageModel.load()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = try (10..<16).map { try Self.phantomInput(tiny, seed: UInt64($0)) }
        // A threshold between the scores, so that both decisions occur.
        var spec = tiny.spec
        spec.threshold = tiny.scores(inputs).sorted()[3]
        let model = TriageModel(spec: spec, network: tiny.network, id: tiny.id)
        let images = TriageModel.stack(inputs.map(\.tensor))
        for method in [HeatmapMethod.cam, .gradCAM(stage: 0), .occlusion(cell: 4)] {
            let predictions = model.predict(inputs, heatmap: method)
            #expect(Set(predictions.map(\.positive)) == [false, true])
            let finding = model.heatmaps(images, method, explaining: .finding).maps.scalars
            let plane = finding.count / inputs.count
            for (n, prediction) in predictions.enumerated() {
                let sign: Float = prediction.positive ? 1 : -1
                let map = finding[(n * plane)..<((n + 1) * plane)]
                #expect(zip(map, prediction.cam).allSatisfy { abs($0 - sign * $1) <= 1e-5 }, "\(method), image \(n)")
            }
        }
    }
}
