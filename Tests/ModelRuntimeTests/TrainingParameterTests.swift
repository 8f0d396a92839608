import Foundation
import Testing
@testable import ModelRuntime

/// Parameter containers and seeded initialisers.
struct TrainingParameterTests {
    static let resnetNames: [(String, [Int])] = [
        ("conv1.weight", [16, 3, 3, 3]), ("bn1.weight", [16]), ("bn1.bias", [16]),
        ("bn1.running_mean", [16]), ("bn1.running_var", [16]),
        ("layer1.0.conv1.weight", [16, 16, 3, 3]), ("layer1.0.bn2.weight", [16]),
        ("fc.weight", [2, 64]), ("fc.bias", [2]),
    ]

    @Test func freshWeightsAreReproducibleAndOrderIndependent() throws {
        var rng = SeededGenerator(seed: 42)
        let source = FreshWeights(using: &rng, rule: FreshWeights.torchvisionResNet(classifierInFeatures: 64))
        let a = try source.tensor("conv1.weight", shape: [16, 3, 3, 3])
        _ = try source.tensor("fc.weight", shape: [2, 64])
        let b = try source.tensor("conv1.weight", shape: [16, 3, 3, 3])
        #expect(a.scalars == b.scalars)
        var again = SeededGenerator(seed: 42)
        let other = FreshWeights(using: &again, rule: FreshWeights.torchvisionResNet())
        #expect(try other.tensor("conv1.weight", shape: [16, 3, 3, 3]).scalars == a.scalars)
        #expect(try source.tensor("layer1.0.conv1.weight", shape: [16, 3, 3, 3]).scalars != a.scalars)
        let reseeded = FreshWeights(seed: 7, rule: FreshWeights.torchvisionResNet())
        #expect(try reseeded.tensor("conv1.weight", shape: [16, 3, 3, 3]).scalars != a.scalars)
    }

    @Test func torchvisionRuleChoosesTorchvisionInitialisation() {
        let rule = FreshWeights.torchvisionResNet(classifierInFeatures: 64,
                                                  zeroInitResidual: { $0.hasSuffix("bn2.weight") })
        #expect(rule("conv1.weight", [16, 3, 3, 3]) == .kaimingNormal(mode: .fanOut, gain: WeightInit.reluGain))
        #expect(rule("bn1.weight", [16]) == .ones)
        #expect(rule("bn1.bias", [16]) == .zeros)
        #expect(rule("bn1.running_mean", [16]) == .zeros)
        #expect(rule("bn1.running_var", [16]) == .ones)
        #expect(rule("layer1.0.bn2.weight", [16]) == .zeros)
        #expect(rule("fc.weight", [2, 64]) == WeightInit.pytorchDefault)
        #expect(rule("fc.bias", [2]) == .uniform(lower: -0.125, upper: 0.125))
        #expect(FreshWeights.torchvisionResNet()("fc.bias", [2]) == .zeros)
    }

    /// The sample statistics of the Kaiming draws match the distributions (n = 36 864; the
    /// standard error of the std estimate is ~0.4 %, the bound is 3 %).
    @Test func kaimingDistributionsHaveTheirMoments() {
        var rng = SeededGenerator(seed: 3)
        let shape = [64, 64, 3, 3]  // fan_in = fan_out = 576
        let normal = WeightInit.kaimingNormal(mode: .fanOut, gain: WeightInit.reluGain).tensor(shape, using: &rng)
        let uniform = WeightInit.pytorchDefault.tensor(shape, using: &rng)
        func moments(_ t: Tensor) -> (mean: Double, std: Double, maxAbs: Double) {
            let v = t.scalars.map(Double.init)
            let mean = v.reduce(0, +) / Double(v.count)
            let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
            return (mean, std, v.map(abs).max()!)
        }
        let n = moments(normal), u = moments(uniform)
        let wantNormalStd = (2.0 / 576).squareRoot()
        #expect(abs(n.mean) < 0.03 * wantNormalStd && abs(n.std / wantNormalStd - 1) < 0.03)
        let bound = 1 / 576.0.squareRoot()
        #expect(u.maxAbs <= bound && abs(u.std / (bound / 3.0.squareRoot()) - 1) < 0.03)
        #expect(WeightInit.fans([8, 4, 3, 3]) == (36, 72) && WeightInit.fans([5, 7]) == (7, 5))
    }

    @Test func parameterSetIsAWeightSourceAndKeepsKinds() throws {
        let source = FreshWeights(seed: 1, rule: FreshWeights.torchvisionResNet())
        let set = ParameterSet()
        var handles: [ParameterSet.Handle] = []
        for (name, shape) in Self.resnetNames {
            let kind: ParameterSet.Kind = name.contains("running") ? .buffer
                : (shape.count > 1 ? .decayed : .undecayed)
            handles.append(try set.add(name, shape: shape, from: source, kind: kind))
        }
        // Offsets are 16-float aligned and disjoint; pointers see the stored values.
        for (h, (name, shape)) in zip(handles, Self.resnetNames) {
            #expect(set[h].offset % 16 == 0 && set[h].shape == shape && set.handle(name) == h)
            #expect(Array(set.value(h)) == (try source.tensor(name, shape: shape)).scalars)
        }
        #expect(set.trainableCount == 16 * 27 + 16 + 16 + 16 * 144 + 16 + 128 + 2)
        // Round trip through the WeightSource protocol (what a model or a checkpoint writer reads).
        #expect(try set.tensor("fc.weight", shape: [2, 64]).scalars == (try source.tensor("fc.weight", shape: [2, 64])).scalars)
        #expect(throws: WeightSourceError.missing(name: "nope")) { try set.tensor("nope", shape: [1]) }
        #expect(throws: WeightSourceError.shapeMismatch(name: "fc.bias", expected: [3], found: [2])) {
            try set.tensor("fc.bias", shape: [3])
        }
        // Loading another source overwrites values; names it lacks are reported.
        let copy = ParameterSet()
        for (name, shape) in Self.resnetNames { copy.add(name, Tensor(zeros: shape), kind: .decayed) }
        copy.add("extra", Tensor(zeros: [3]), kind: .buffer)
        #expect(try copy.load(from: set) == ["extra"])
        #expect(Array(copy.value(copy.handle("conv1.weight")!)) == Array(set.value(handles[0])))
        #expect(copy.namedTensors().map(\.name) == Self.resnetNames.map(\.0) + ["extra"])
    }

    @Test func gradientNormAndClippingFollowPyTorch() {
        let set = ParameterSet()
        let a = set.add("a", Tensor(zeros: [2]), kind: .decayed)
        let b = set.add("b", Tensor(zeros: [1]), kind: .undecayed)
        let buffer = set.add("running_var", Tensor(zeros: [1]), kind: .buffer)
        set.gradient(a)[0] = 3
        set.gradient(a)[1] = 0
        set.gradient(b)[0] = 4
        set.gradient(buffer)[0] = 100  // buffers do not count
        #expect(set.gradientNorm() == 5)
        #expect(set.clipGradientNorm(1) == 5)
        #expect(abs(set.gradient(a)[0] - 0.6) < 1e-6 && abs(set.gradient(b)[0] - 0.8) < 1e-6)
        set.zeroGradients()
        #expect(set.allGradients.allSatisfy { $0 == 0 })
    }

    @Test func seededGeneratorStreamsAreStable() {
        var a = SeededGenerator(seed: 5, stream: "conv1.weight")
        var b = SeededGenerator(seed: 5, stream: "conv1.weight")
        var c = SeededGenerator(seed: 5, stream: "conv2.weight")
        let x = (0..<4).map { _ in a.next() }
        #expect(x == (0..<4).map { _ in b.next() })
        #expect(x != (0..<4).map { _ in c.next() })
        // SplitMix64's published first output for seed 0.
        var zero = SeededGenerator(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }
}
