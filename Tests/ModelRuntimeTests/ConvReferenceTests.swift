import Foundation
import Testing
@testable import ModelRuntime

/// The im2col + sgemm convolution (forward and backward) against its plain-loop reference,
/// and batch-norm folding. Tolerance: |fast − reference| ≤ 1e-5 + 1e-5·|reference| (the
/// reference accumulates in Double; the values are O(1) sums of ≤ 100 products).
struct ConvReferenceTests {
    static let geometries: [Conv2DGeometry] = [
        Conv2DGeometry(batch: 2, inChannels: 3, height: 7, width: 6, outChannels: 4, kernel: 3, padding: 1),
        Conv2DGeometry(batch: 3, inChannels: 2, height: 9, width: 7, outChannels: 5, kernel: 3, stride: 2, padding: 1),
        Conv2DGeometry(batch: 1, inChannels: 2, height: 11, width: 8, outChannels: 3, kernel: 3, padding: 2, dilation: 2),
        Conv2DGeometry(batch: 2, inChannels: 4, height: 5, width: 6, outChannels: 6, kernel: 3, padding: 1, groups: 2),
        Conv2DGeometry(batch: 2, inChannels: 3, height: 6, width: 7, outChannels: 6, kernel: 3, stride: 2, padding: 1,
                       groups: 3),
        Conv2DGeometry(batch: 2, inChannels: 4, height: 5, width: 5, outChannels: 4, kernel: 3, padding: 1, groups: 4),
        Conv2DGeometry(batch: 3, inChannels: 5, height: 4, width: 3, outChannels: 2, kernel: 1),
        Conv2DGeometry(batch: 2, inChannels: 3, height: 5, width: 5, outChannels: 4, kernel: 1, stride: 2),
        Conv2DGeometry(batch: 1, inChannels: 1, height: 13, width: 12, outChannels: 4, kernel: 7, stride: 2, padding: 3),
        Conv2DGeometry(batch: 2, inChannels: 2, height: 7, width: 8, outChannels: 3, kernelHeight: 3, kernelWidth: 2,
                       strideH: 2, strideW: 1, padH: 1, padW: 0, dilationH: 1, dilationW: 2),
        // Stride 1 without padding and with uneven padding (the input gradient as a convolution).
        Conv2DGeometry(batch: 2, inChannels: 2, height: 5, width: 6, outChannels: 3, kernel: 3),
        Conv2DGeometry(batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 4, kernelHeight: 3, kernelWidth: 2,
                       padH: 1, padW: 0),
        // Padding wider than the reach of the kernel on one side: whole rows of padding.
        Conv2DGeometry(batch: 1, inChannels: 2, height: 3, width: 4, outChannels: 2, kernel: 2, stride: 3, padding: 2),
    ]

    static func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> (ok: Bool, worst: Float) {
        guard a.count == b.count else { return (false, .infinity) }
        var worst: Float = 0
        var ok = true
        for (x, y) in zip(a, b) {
            let err = abs(x - y)
            worst = max(worst, err)
            if !(err <= tolerance + tolerance * abs(y)) { ok = false }
        }
        return (ok, worst)
    }

    /// Budgets (floats) that give bands of one output row, bands of two (with a remainder for
    /// odd heights), two images per chunk (with a remainder for odd batches) and the default
    /// (the whole batch at these sizes).
    static func budgets(_ g: Conv2DGeometry) -> [Int] {
        [1, 2 * g.patchSize * g.outWidth, 2 * g.patchSize * g.outputPlane, Conv2D.tileBudget(g)]
    }

    @Test(arguments: [1, 2])
    func forwardMatchesReference(threads: Int) {
        ComputeThreads.withThreads(threads) {
            for (i, g) in Self.geometries.enumerated() {
                let x = KernelReferenceTests.random(g.inputCount, seed: UInt64(10 + i))
                let w = KernelReferenceTests.random(g.weightCount, seed: UInt64(50 + i))
                let b = KernelReferenceTests.random(g.outChannels, seed: UInt64(90 + i))
                for useBias in [false, true] {
                    var slow = [Float](repeating: .nan, count: g.outputCount)
                    b.withUnsafeBufferPointer { bias in
                        Conv2D.reference(g, input: x, weight: w, bias: useBias ? bias.baseAddress : nil, output: &slow)
                    }
                    for budget in Self.budgets(g) {
                        for relu in [false, true] {
                            var fast = [Float](repeating: .nan, count: g.outputCount)
                            b.withUnsafeBufferPointer { bias in
                                Conv2D.forward(g, input: x, weight: w, bias: useBias ? bias.baseAddress : nil, relu: relu,
                                               output: &fast, chunkBudget: budget)
                            }
                            let (ok, worst) = Self.close(fast, relu ? slow.map { max($0, 0) } : slow)
                            #expect(ok, "\(g) bias \(useBias) relu \(relu) budget \(budget): max error \(worst)")
                        }
                    }
                }
            }
        }
    }

    /// Winograd F(2×2, 3×3) wherever it applies (whatever the channel count), against the
    /// reference: odd and even sizes, paddings 0–2, bands and chunks of images, a precomputed
    /// filter, bias and ReLU, one and two threads.
    @Test(arguments: [1, 2])
    func winogradMatchesReference(threads: Int) {
        ComputeThreads.withThreads(threads) {
            let geometries = [
                Conv2DGeometry(batch: 3, inChannels: 3, height: 7, width: 6, outChannels: 4, kernel: 3, padding: 1),
                Conv2DGeometry(batch: 2, inChannels: 2, height: 9, width: 11, outChannels: 3, kernel: 3),
                Conv2DGeometry(batch: 2, inChannels: 4, height: 5, width: 4, outChannels: 2, kernel: 3, padding: 2),
                Conv2DGeometry(batch: 1, inChannels: 5, height: 20, width: 19, outChannels: 6, kernel: 3, padding: 1),
            ]
            for (i, g) in geometries.enumerated() {
                #expect(Conv2D.Winograd.applies(g))
                let x = KernelReferenceTests.random(g.inputCount, seed: UInt64(400 + i))
                let w = KernelReferenceTests.random(g.weightCount, seed: UInt64(450 + i))
                let b = KernelReferenceTests.random(g.outChannels, seed: UInt64(490 + i))
                var slow = [Float](repeating: .nan, count: g.outputCount)
                Conv2D.reference(g, input: x, weight: w, bias: b, output: &slow)
                let filter = Conv2D.WinogradFilter(weight: Tensor(shape: g.weightShape, values: w))
                // One band of blocks, bands of two rows of blocks, two images per chunk, the default.
                let perBlock = 16 * g.inChannels
                let budgets = [1, 2 * perBlock * Conv2D.Winograd.blockColumns(g),
                               2 * perBlock * Conv2D.Winograd.blockRows(g) * Conv2D.Winograd.blockColumns(g),
                               Conv2D.tileBudget(g)]
                for budget in budgets {
                    for (relu, precomputed) in [(false, false), (true, true)] {
                        var fast = [Float](repeating: .nan, count: g.outputCount)
                        Conv2D.forward(g, input: x, weight: w, bias: b, relu: relu, filter: precomputed ? filter : nil,
                                       output: &fast, chunkBudget: budget, winograd: true)
                        let (ok, worst) = Self.close(fast, relu ? slow.map { max($0, 0) } : slow)
                        #expect(ok, "\(g) budget \(budget) relu \(relu): max error \(worst)")
                    }
                }
            }
        }
    }

    @Test(arguments: [1, 2])
    func backwardMatchesReference(threads: Int) {
        ComputeThreads.withThreads(threads) {
            for (i, g) in Self.geometries.enumerated() {
                let x = KernelReferenceTests.random(g.inputCount, seed: UInt64(200 + i))
                let w = KernelReferenceTests.random(g.weightCount, seed: UInt64(250 + i))
                let dy = KernelReferenceTests.random(g.outputCount, seed: UInt64(300 + i))
                // Gradients accumulate onto what is there: start both from the same non-zero values.
                let start = KernelReferenceTests.random(g.weightCount, seed: 7)
                var dxSlow = [Float](repeating: .nan, count: g.inputCount), dwSlow = start
                var dbSlow = [Float](repeating: 0.5, count: g.outChannels)
                Conv2D.backwardReference(g, input: x, weight: w, outputGradient: dy, inputGradient: &dxSlow,
                                         weightGradient: &dwSlow, biasGradient: &dbSlow)
                for budget in Self.budgets(g) {
                    var dxFast = [Float](repeating: .nan, count: g.inputCount), dwFast = start
                    var dbFast = [Float](repeating: 0.5, count: g.outChannels)
                    Conv2D.backward(g, input: x, weight: w, outputGradient: dy, inputGradient: &dxFast,
                                    weightGradient: &dwFast, biasGradient: &dbFast, chunkBudget: budget)
                    for (name, a, b) in [("input", dxFast, dxSlow), ("weight", dwFast, dwSlow), ("bias", dbFast, dbSlow)] {
                        let (ok, worst) = Self.close(a, b, tolerance: 2e-5)
                        #expect(ok, "\(g) budget \(budget) \(name) gradient: max error \(worst)")
                    }
                }
            }
        }
    }

    /// Only the requested gradients are written: asking for one gradient gives what asking for
    /// both gives, bit for bit on any thread count (each worker takes a fixed set of tiles and
    /// the partial weight gradients are added in worker order, not in the order they finish).
    @Test(arguments: [1, 2])
    func backwardComputesOnlyWhatIsAsked(threads: Int) {
        let g = Self.geometries[1]
        let x = KernelReferenceTests.random(g.inputCount, seed: 1)
        let w = KernelReferenceTests.random(g.weightCount, seed: 2)
        let dy = KernelReferenceTests.random(g.outputCount, seed: 3)
        ComputeThreads.withThreads(threads) {
            for budget in Self.budgets(g) {
                var dw = [Float](repeating: 0, count: g.weightCount), dwAll = dw
                var dx = [Float](repeating: .nan, count: g.inputCount), dxAll = dx
                Conv2D.backward(g, input: x, weight: w, outputGradient: dy, inputGradient: nil, weightGradient: &dw,
                                biasGradient: nil, chunkBudget: budget)
                Conv2D.backward(g, input: x, weight: w, outputGradient: dy, inputGradient: &dx, weightGradient: nil,
                                biasGradient: nil, chunkBudget: budget)
                Conv2D.backward(g, input: x, weight: w, outputGradient: dy, inputGradient: &dxAll, weightGradient: &dwAll,
                                biasGradient: nil, chunkBudget: budget)
                #expect(dx == dxAll && !dx.contains { $0.isNaN }, "budget \(budget): input gradient")
                #expect(dw.contains { $0 != 0 }, "budget \(budget): no weight gradient")
                #expect(dw == dwAll, "budget \(budget): weight gradient")
            }
        }
    }

    @Test func tensorFormMatchesPointerForm() {
        let g = Self.geometries[3]
        let x = Tensor(shape: g.inputShape, values: KernelReferenceTests.random(g.inputCount, seed: 4))
        let w = Tensor(shape: g.weightShape, values: KernelReferenceTests.random(g.weightCount, seed: 5))
        let y = Conv2D.forward(x, weight: w, bias: nil, g)
        var slow = [Float](repeating: 0, count: g.outputCount)
        Conv2D.reference(g, input: x.scalars, weight: w.scalars, bias: nil, output: &slow)
        #expect(y.shape == g.outputShape)
        #expect(Self.close(y.scalars, slow).ok)
    }

    @Test func geometryFollowsPyTorchOutputSizes() {
        // torchvision ResNet stem on 224×224 and a stride-2 3×3 on an odd size.
        let stem = Conv2DGeometry(batch: 1, inChannels: 3, height: 224, width: 224, outChannels: 64, kernel: 7,
                                  stride: 2, padding: 3)
        #expect(stem.outputShape == [1, 64, 112, 112])
        #expect(stem.multiplyAdds == 64 * 112 * 112 * 3 * 49)
        let odd = Conv2DGeometry(batch: 1, inChannels: 1, height: 7, width: 9, outChannels: 1, kernel: 3, stride: 2,
                                 padding: 1, dilation: 2)
        // Effective kernel 5: (7 + 2 − 5) / 2 + 1 = 3 and (9 + 2 − 5) / 2 + 1 = 4.
        #expect(odd.outHeight == 3 && odd.outWidth == 4)
        let pool = Pool2DGeometry(batch: 1, channels: 64, height: 112, width: 112, kernel: 3, stride: 2, padding: 1)
        #expect(pool.outputShape == [1, 64, 56, 56])
    }

    /// conv → eval-mode batch norm equals the folded convolution, with and without a conv bias.
    @Test(arguments: [false, true])
    func foldedBatchNormEqualsConvThenBatchNorm(convBias: Bool) {
        let g = Conv2DGeometry(batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 4, kernel: 3, stride: 2,
                               padding: 1)
        let x = KernelReferenceTests.random(g.inputCount, seed: 11)
        let weight = Tensor(shape: g.weightShape, values: KernelReferenceTests.random(g.weightCount, seed: 12))
        let bias = convBias ? Tensor(shape: [4], values: [0.1, -0.2, 0.3, 0.05]) : nil
        let gamma = Tensor(shape: [4], values: [1.2, 0.7, -0.4, 1.0])
        let beta = Tensor(shape: [4], values: [0.1, 0.0, -0.3, 0.25])
        let mean = Tensor(shape: [4], values: [0.2, -0.1, 0.05, 0.4])
        let variance = Tensor(shape: [4], values: [0.9, 1.5, 0.3, 2.0])

        var convOut = [Float](repeating: 0, count: g.outputCount)
        bias?.withUnsafeBufferPointer { b in
            Conv2D.forward(g, input: x, weight: weight.scalars, bias: b.baseAddress, output: &convOut)
        }
        if bias == nil { Conv2D.forward(g, input: x, weight: weight.scalars, bias: nil, output: &convOut) }
        var expected = [Float](repeating: 0, count: g.outputCount)
        BatchNorm.inference(convOut, batch: g.batch, channels: 4, spatial: g.outputPlane, gamma: gamma.scalars,
                            beta: beta.scalars, runningMean: mean.scalars, runningVar: variance.scalars,
                            epsilon: 1e-5, into: &expected)

        let folded = BatchNorm.fold(weight: weight, bias: bias, gamma: gamma, beta: beta, runningMean: mean,
                                    runningVar: variance, epsilon: 1e-5)
        #expect(folded.weight.shape == g.weightShape && folded.bias.shape == [4])
        let y = Conv2D.forward(Tensor(shape: g.inputShape, values: x), weight: folded.weight, bias: folded.bias, g)
        let (ok, worst) = Self.close(y.scalars, expected)
        #expect(ok, "folded conv differs from conv + BN by \(worst)")
    }
}
