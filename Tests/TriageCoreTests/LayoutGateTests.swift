import Foundation
import Imaging
import ModelRuntime
import TestSupport
import Testing
import TriageTestSupport
@testable import TriageCore

/// The input gate's layout and framing checks (`LayoutGate`, `FramingCheck`): the layout vector,
/// the turns and crops that train the framing regression, the regression itself, the optional
/// model.json sections, and the refusals they give, against hand-computed values.
struct LayoutGateTests {
    /// Left half 0, right half 4: standardised −1 / +1; one edge column of strength 2.
    @Test func layoutVectorByHand() {
        let plane: [Float] = (0..<16).map { $0 % 4 < 2 ? 0 : 4 }
        let v = LayoutGate.vector(Tensor(shape: [1, 4, 4], values: plane), grid: 2)
        // Edges over the 3×3 pixels with right and lower neighbours: three of them (x = 1) of 2.
        #expect(v == [-1, 1, -1, 1, 6.0 / 9])
        #expect(LayoutGate.dimension(grid: 2) == 5 && LayoutGate.dimension(grid: 14) == 245)
        // Channels are averaged; brightness and contrast do not count; a constant input is all zeros.
        #expect(LayoutGate.vector(Tensor(shape: [2, 4, 4], values: plane + plane), grid: 2) == v)
        #expect(LayoutGate.vector(Tensor(shape: [1, 4, 4], values: plane.map { 3 * $0 - 7 }), grid: 2) == v)
        #expect(LayoutGate.vector(Tensor(shape: [1, 4, 4], values: [Float](repeating: 0.3, count: 16)), grid: 2)
                == [Double](repeating: 0, count: 5))
        // The top half bright instead: the layout changes, not the edge strength.
        let turned = LayoutGate.vector(Tensor(shape: [1, 4, 4], values: (0..<16).map { $0 / 4 < 2 ? 4 : 0 }), grid: 2)
        #expect(turned == [1, 1, -1, -1, 6.0 / 9])
    }

    @Test func framedTurnsFlipsAndCrops() {
        let input = Tensor(shape: [1, 3, 3], values: (0..<9).map(Float.init))
        var g = SeededGenerator(seed: 1)
        func framed(_ kind: FramingCheck.Framing, _ t: Tensor = input) -> [Float] { FramingCheck.framed(t, kind, &g).scalars }
        #expect(framed(.rotated90) == [6, 3, 0, 7, 4, 1, 8, 5, 2])  // clockwise
        #expect(framed(.rotated270) == [2, 5, 8, 1, 4, 7, 0, 3, 6])
        #expect(framed(.rotated180) == [8, 7, 6, 5, 4, 3, 2, 1, 0])
        #expect(framed(.upsideDown) == [6, 7, 8, 3, 4, 5, 0, 1, 2])
        // A non-square input is turned by 180° instead of 90°.
        let wide = Tensor(shape: [1, 2, 3], values: (0..<6).map(Float.init))
        #expect(framed(.rotated90, wide) == [5, 4, 3, 2, 1, 0])
        // A crop enlarges part of the image: values stay within the source's, the image changes.
        let ramp = Tensor(shape: [1, 8, 8], values: (0..<64).map(Float.init))
        let crop = framed(.crop, ramp)
        #expect(crop.count == 64 && crop.allSatisfy { (0...63).contains($0) } && crop != ramp.scalars)
        #expect(crop.max()! - crop.min()! < 63 / 1.4)  // at least 1.5× enlarged: a smaller span
        #expect(FramingCheck.negatives(of: [input, input]).count == 4)
        #expect(FramingCheck.negatives(of: [ramp]).map(\.scalars) == FramingCheck.negatives(of: [ramp]).map(\.scalars))
    }

    @Test func logisticRegressionSeparatesAndIsSymmetric() {
        let samples: [[Double]] = [[-2], [-1], [1], [2]]
        let weights = LogisticRegression.fit(samples, targets: [0, 0, 1, 1])
        #expect(weights.count == 2 && weights[0] > 1)
        #expect(abs(weights[1]) < 1e-12)  // the data are symmetric about 0
        #expect(LogisticRegression.fit(samples, targets: [0, 0, 1, 1]) == weights)
        let flipped = LogisticRegression.fit(samples, targets: [1, 1, 0, 0])
        #expect(abs(flipped[0] + weights[0]) < 1e-12)
    }

    /// `L = [[2, 0], [1, 1]]`, `x − μ = (2, 1)`: `z = (1, 0)`.
    @Test func whitenedByHand() {
        #expect(Mahalanobis.whitened([3, 2], mean: [1, 1], covarianceCholesky: [2, 1, 1]) == [1, 0])
        let gate = FeatureGate(features: 2, classMeans: [[0, 0], [2, 2]], covarianceCholesky: [2, 1, 1],
                               shrinkage: 0, threshold: 1, thresholdRule: "test")
        #expect(gate.whitened([3, 2]) == [1, 0])  // around the mean of the class means, (1, 1)
    }

    @Test func framingThresholdIsTheValidationQuantile() {
        let check = FramingCheck.fit(train: [[0], [0.2], [0.1]], framed: [[1], [0.9], [1.1]],
                                     validation: [[0], [0.1], [0.2], [0.3]], passQuantile: 0.75)
        #expect(check.threshold == check.score([0.2]))  // sorted[⌈0.75·4⌉ − 1]
        #expect(check.score([1]) > check.threshold && check.thresholdRule.contains("75% quantile"))
    }

    static let identity20 = (0..<20).flatMap { i in (0...i).map { Float($0 == i ? 1 : 0) } }

    static func gate(layoutMeans: [Float], layoutThreshold: Double, framing: FramingCheck?) -> FeatureGate {
        FeatureGate(features: 8, classMeans: [[Float]](repeating: [Float](repeating: 0, count: 8), count: 2),
                    covarianceCholesky: (0..<8).flatMap { i in (0...i).map { Float($0 == i ? 1 : 0) } },
                    shrinkage: 0, threshold: 1e9, thresholdRule: "test",
                    layout: LayoutGate(grid: 4, classMeans: [layoutMeans, layoutMeans], covarianceCholesky: identity20,
                                       shrinkage: 0, threshold: layoutThreshold, thresholdRule: "test"),
                    framing: framing)
    }

    @Test func layoutAndFramingSectionsAreOptionalAndChecked() throws {
        var spec = TinyTriageModel.spec
        spec.inputGate = Self.gate(layoutMeans: [Float](repeating: 0, count: 20), layoutThreshold: 5,
                                   framing: FramingCheck(weights: [Float](repeating: 0, count: 29), threshold: 1, thresholdRule: "test"))
        let decoded = try JSONDecoder().decode(TriageModelSpec.self, from: try JSONEncoder().encode(spec))
        #expect(decoded == spec)
        try decoded.validate(path: "model.json")
        func problem(_ change: (inout FeatureGate) -> Void) -> String {
            var broken = spec
            change(&broken.inputGate!)
            do { try broken.validate(path: "model.json") } catch { return "\(error)" }
            return "valid"
        }
        let shortWeights = problem { _ = $0.framing?.weights.removeLast() }
        let noLayout = problem { $0.layout = nil }
        let bigGrid = problem { $0.layout?.grid = 16 }
        let badMean = problem { $0.layout?.classMeans[0][3] = .nan }
        #expect(shortWeights.contains("framing: weights: 29 finite values needed, got 28"), "\(shortWeights)")
        #expect(noLayout.contains("framing: needs the layout section"), "\(noLayout)")
        #expect(bigGrid.contains("layout: grid 16 must be 2…15"), "\(bigGrid)")
        #expect(badMean.contains("layout: class_means"), "\(badMean)")
        #expect(problem { $0.framing = nil } == "valid")
    }

    /// A phantom passes; the same phantom upside down is refused by its layout; a framing
    /// regression whose score is its bias refuses or passes by its threshold.
    @Test func aTurnedFilmIsRefusedByItsLayout() throws {
        let (tiny, folder) = try TinyTriageModel.load()
        defer { try? FileManager.default.removeItem(at: folder) }
        var g = SeededGenerator(seed: 4)
        let pixels = ChestPhantom(opacity: 0.3).render(size: 32, generator: &g).map { UInt8($0 * 255) }
        func prepared(_ bytes: [UInt8]) throws -> PreparedInput {
            try tiny.prepare(try PNGCodec.encode(Image(width: 32, height: 32, colorModel: .gray, samples: .uint8(bytes))), file: "p.png")
        }
        let upright = try prepared(pixels), turned = try prepared(pixels.reversed())
        let means = LayoutGate.vector(upright.tensor, grid: 4).map(Float.init)
        func assessed(_ gate: FeatureGate, _ input: PreparedInput) -> Result<Prediction, NotAssessable> {
            var spec = tiny.spec
            spec.inputGate = gate
            return TriageModel(spec: spec, network: tiny.network, id: tiny.id).assess([input])[0]
        }
        let layoutOnly = Self.gate(layoutMeans: means, layoutThreshold: 1, framing: nil)
        #expect(try assessed(layoutOnly, upright).get() == tiny.predict([upright])[0])
        guard case .failure(let refusal) = assessed(layoutOnly, turned) else {
            Issue.record("an upside-down film passed its layout check")
            return
        }
        #expect(refusal.reason == "out_of_distribution" && refusal.detail.hasPrefix("layout distance "))
        #expect(refusal.detail.hasSuffix("> 1.0 (not laid out like the training radiographs)"))
        let bias: [Float] = [Float](repeating: 0, count: 28) + [5]
        let strict = Self.gate(layoutMeans: means, layoutThreshold: 1, framing: FramingCheck(weights: bias, threshold: 4, thresholdRule: "test"))
        guard case .failure(let framed) = assessed(strict, upright) else {
            Issue.record("a framing score above its threshold passed")
            return
        }
        #expect(framed.detail == "framing score 5.00 > 4.00 (the film looks turned, flipped or cropped)")
        let lenient = Self.gate(layoutMeans: means, layoutThreshold: 1, framing: FramingCheck(weights: bias, threshold: 6, thresholdRule: "test"))
        #expect(try assessed(lenient, upright).get() == tiny.predict([upright])[0])
    }
}
