import Testing
@testable import ModelRuntime

/// The vectorised batch-norm plane loops against their plain references, and the fused
/// batch norm + ReLU passes against the same steps run one after the other.
struct FusedKernelTests {
    /// Lengths around the SIMD width and the 1024-element block; values with zeros, negatives
    /// and a NaN in the mask (a NaN ReLU output lets no gradient through, as `y > 0` is false).
    static let counts = [0, 1, 7, 8, 9, 1023, 1024, 1025, 3001]

    static func mask(_ n: Int, seed: UInt64) -> [Float] {
        var m = KernelReferenceTests.random(n, seed: seed)
        for i in stride(from: 0, to: n, by: 5) { m[i] = 0 }
        if n > 3 { m[3] = .nan }
        return m
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-5 * max(1, abs(b)) }

    @Test(arguments: counts)
    func planeSumsMatchReference(count: Int) {
        let x = KernelReferenceTests.random(count, seed: 1).map { $0 * 3 + 0.5 }
        let dy = KernelReferenceTests.random(count, seed: 2), y = Self.mask(count, seed: 3)
        #expect(Self.close(BatchNormPlanes.sum(x, count: count), BatchNormPlanes.referenceSum(x, count: count)))
        #expect(Self.close(BatchNormPlanes.centeredSquares(x, count: count, mean: 0.4),
                           BatchNormPlanes.referenceCenteredSquares(x, count: count, mean: 0.4)))
        for mask in [nil, y] {
            mask.withOptionalPointer { m in
                let fast = BatchNormPlanes.gradientSums(dy, x, mask: m, count: count, mean: 0.4, inverse: 1.7)
                let slow = BatchNormPlanes.referenceGradientSums(dy, x, mask: m, count: count, mean: 0.4, inverse: 1.7)
                #expect(Self.close(fast.0, slow.0) && Self.close(fast.1, slow.1), "count \(count) mask \(m != nil)")
                var dxFast = [Float](repeating: .nan, count: count), dxSlow = dxFast
                BatchNormPlanes.inputGradient(&dxFast, dy, x, mask: m, count: count, mean: 0.4, inverse: 1.7,
                                              scale: 0.8, meanDy: 0.1, meanDyXhat: -0.2)
                BatchNormPlanes.referenceInputGradient(&dxSlow, dy, x, mask: m, count: count, mean: 0.4, inverse: 1.7,
                                                       scale: 0.8, meanDy: 0.1, meanDyXhat: -0.2)
                #expect(zip(dxFast, dxSlow).allSatisfy { abs($0 - $1) <= 1e-6 }, "count \(count) mask \(m != nil)")
            }
        }
    }

    @Test func reluBackwardMatchesTheSelect() {
        for count in Self.counts {
            let y = Self.mask(count, seed: 4), dy = KernelReferenceTests.random(count, seed: 5)
            var dx = [Float](repeating: .nan, count: count)
            ActivationBackward.relu(output: y, outputGradient: dy, inputGradient: &dx, count: count)
            #expect(dx == (0..<count).map { y[$0] > 0 ? dy[$0] : 0 }, "count \(count)")
        }
    }

    /// Max pooling without indices (the separable path) gives the window loop's values, NaN included.
    @Test func separableMaxPoolingEqualsTheWindowLoop() {
        let shapes = [(3, 2, 1), (3, 2, 0), (2, 2, 0), (3, 1, 1), (5, 3, 2)]  // kernel, stride, padding
        for (i, (kernel, stride, padding)) in shapes.enumerated() {
            let g = Pool2DGeometry(batch: 2, channels: 3, height: 11, width: 9, kernel: kernel, stride: stride,
                                   padding: padding)
            var x = KernelReferenceTests.random(g.planes * g.inputPlane, seed: UInt64(20 + i))
            x[17] = .nan
            var windows = [Float](repeating: 0, count: g.planes * g.outputPlane), separable = windows
            var indices = [Int32](repeating: 0, count: windows.count)
            Pooling2D.max(g, input: x, output: &windows, indices: &indices)
            Pooling2D.max(g, input: x, output: &separable, indices: nil)
            #expect(windows.map(\.bitPattern) == separable.map(\.bitPattern), "kernel \(kernel) stride \(stride) padding \(padding)")
        }
    }

    /// `training(relu: true)` is `training` then ReLU; `backward(reluOutput:)` is ReLU's
    /// backward then `backward`.
    @Test func batchNormWithReLUEqualsTheTwoSteps() {
        let (batch, channels, spatial) = (3, 4, 37)
        let n = batch * channels * spatial
        let x = KernelReferenceTests.random(n, seed: 6).map { $0 * 2 + 0.1 }
        let gamma = KernelReferenceTests.random(channels, seed: 7).map { $0 + 1.2 }
        let beta = KernelReferenceTests.random(channels, seed: 8)
        func forward(relu: Bool) -> ([Float], BatchNorm.Saved) {
            var y = [Float](repeating: 0, count: n), saved = BatchNorm.Saved(channels: channels)
            var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 1, count: channels)
            BatchNorm.training(x, batch: batch, channels: channels, spatial: spatial, gamma: gamma, beta: beta,
                               runningMean: &mean, runningVar: &variance, relu: relu, into: &y, saved: &saved)
            return (y, saved)
        }
        let (fused, saved) = forward(relu: true)
        var separate = forward(relu: false).0
        Activation.relu(&separate, count: n)
        #expect(fused == separate)

        let dy = KernelReferenceTests.random(n, seed: 9)
        var dxFused = [Float](repeating: 0, count: n), dgFused = [Float](repeating: 0, count: channels)
        var dbFused = dgFused
        BatchNorm.backward(x, outputGradient: dy, reluOutput: fused, batch: batch, channels: channels, spatial: spatial,
                           gamma: gamma, saved: saved, inputGradient: &dxFused, gammaGradient: &dgFused,
                           betaGradient: &dbFused)
        var masked = [Float](repeating: 0, count: n)
        ActivationBackward.relu(output: fused, outputGradient: dy, inputGradient: &masked, count: n)
        var dx = [Float](repeating: 0, count: n), dg = [Float](repeating: 0, count: channels), db = dg
        BatchNorm.backward(x, outputGradient: masked, batch: batch, channels: channels, spatial: spatial, gamma: gamma,
                           saved: saved, inputGradient: &dx, gammaGradient: &dg, betaGradient: &db)
        #expect(dxFused == dx && dgFused == dg && dbFused == db)
    }
}
