import Foundation
import Testing
@testable import ModelRuntime

struct KernelBackwardTests {
    static let convs: [Conv2DGeometry] = [
        Conv2DGeometry(batch: 2, inChannels: 4, height: 5, width: 5, outChannels: 4, kernel: 3, stride: 2, padding: 1,
                       groups: 2),
        Conv2DGeometry(batch: 1, inChannels: 2, height: 6, width: 5, outChannels: 3, kernel: 3, padding: 2, dilation: 2),
        Conv2DGeometry(batch: 2, inChannels: 3, height: 4, width: 4, outChannels: 3, kernel: 3, padding: 1, groups: 3),
        Conv2DGeometry(batch: 2, inChannels: 3, height: 3, width: 4, outChannels: 2, kernel: 1, stride: 1),
    ]

    @Test(arguments: convs)
    func conv2dBackwardMatchesFiniteDifferences(_ g: Conv2DGeometry) {
        let x = KernelReferenceTests.random(g.inputCount, seed: 1)
        let w = KernelReferenceTests.random(g.weightCount, seed: 2)
        let b = KernelReferenceTests.random(g.outChannels, seed: 3)
        let r = KernelReferenceTests.random(g.outputCount, seed: 4)
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var y = [Float](repeating: 0, count: g.outputCount)
            Conv2D.forward(g, input: x, weight: w, bias: b, output: &y)
            return GradientCheck.projection(y, r)
        }
        var dx = [Float](repeating: 0, count: g.inputCount)
        var dw = [Float](repeating: 0, count: g.weightCount)
        var db = [Float](repeating: 0, count: g.outChannels)
        Conv2D.backward(g, input: x, weight: w, outputGradient: r, inputGradient: &dx, weightGradient: &dw,
                        biasGradient: &db)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x) { loss($0, w, b) }, "\(g) input")
        GradientCheck.expectMatches(dw, GradientCheck.numeric(w) { loss(x, $0, b) }, "\(g) weight")
        GradientCheck.expectMatches(db, GradientCheck.numeric(b) { loss(x, w, $0) }, "\(g) bias")
    }

    @Test(arguments: [(2, 3, 4), (4, 2, 1)])
    func batchNormTrainingBackwardMatchesFiniteDifferences(batch: Int, channels: Int, spatial: Int) {
        let n = batch * channels * spatial
        let x = KernelReferenceTests.random(n, seed: 5).map { $0 * 2 + 0.3 }
        let gamma = KernelReferenceTests.random(channels, seed: 6).map { $0 + 1.5 }
        let beta = KernelReferenceTests.random(channels, seed: 7)
        let r = KernelReferenceTests.random(n, seed: 8)
        func forward(_ x: [Float], _ gamma: [Float], _ beta: [Float], saved: inout BatchNorm.Saved) -> [Float] {
            var y = [Float](repeating: 0, count: n)
            var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 1, count: channels)
            BatchNorm.training(x, batch: batch, channels: channels, spatial: spatial, gamma: gamma, beta: beta,
                               runningMean: &mean, runningVar: &variance, into: &y, saved: &saved)
            return y
        }
        func loss(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> Double {
            var saved = BatchNorm.Saved(channels: channels)
            return GradientCheck.projection(forward(x, gamma, beta, saved: &saved), r)
        }
        var saved = BatchNorm.Saved(channels: channels)
        _ = forward(x, gamma, beta, saved: &saved)
        var dx = [Float](repeating: 0, count: n)
        var dgamma = [Float](repeating: 0, count: channels), dbeta = dgamma
        BatchNorm.backward(x, outputGradient: r, batch: batch, channels: channels, spatial: spatial, gamma: gamma,
                           saved: saved, inputGradient: &dx, gammaGradient: &dgamma, betaGradient: &dbeta)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x) { loss($0, gamma, beta) }, "batch norm input")
        GradientCheck.expectMatches(dgamma, GradientCheck.numeric(gamma) { loss(x, $0, beta) }, "batch norm gamma")
        GradientCheck.expectMatches(dbeta, GradientCheck.numeric(beta) { loss(x, gamma, $0) }, "batch norm beta")

        // In place (dx written over dy) gives the same.
        var inPlace = r
        var dgamma2 = [Float](repeating: 0, count: channels), dbeta2 = dgamma2
        inPlace.withUnsafeMutableBufferPointer { p in
            BatchNorm.backward(x, outputGradient: p.baseAddress!, batch: batch, channels: channels, spatial: spatial,
                               gamma: gamma, saved: saved, inputGradient: p.baseAddress!, gammaGradient: &dgamma2,
                               betaGradient: &dbeta2)
        }
        #expect(inPlace == dx)
    }

    @Test func batchNormEvalBackwardMatchesFiniteDifferences() {
        let (batch, channels, spatial) = (2, 3, 2)
        let n = batch * channels * spatial
        let x = KernelReferenceTests.random(n, seed: 9)
        let gamma: [Float] = [1.3, -0.6, 0.9], beta: [Float] = [0.1, 0.2, -0.3]
        let mean: [Float] = [0.1, -0.2, 0.3], variance: [Float] = [0.5, 1.2, 2.0]
        let r = KernelReferenceTests.random(n, seed: 10)
        func loss(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> Double {
            var y = [Float](repeating: 0, count: n)
            BatchNorm.inference(x, batch: batch, channels: channels, spatial: spatial, gamma: gamma, beta: beta,
                                runningMean: mean, runningVar: variance, into: &y)
            return GradientCheck.projection(y, r)
        }
        var dx = [Float](repeating: 0, count: n)
        var dgamma = [Float](repeating: 0, count: channels), dbeta = dgamma
        BatchNorm.inferenceBackward(x, outputGradient: r, batch: batch, channels: channels, spatial: spatial,
                                    gamma: gamma, runningMean: mean, runningVar: variance, inputGradient: &dx,
                                    gammaGradient: &dgamma, betaGradient: &dbeta)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x) { loss($0, gamma, beta) }, "eval BN input")
        GradientCheck.expectMatches(dgamma, GradientCheck.numeric(gamma) { loss(x, $0, beta) }, "eval BN gamma")
        GradientCheck.expectMatches(dbeta, GradientCheck.numeric(beta) { loss(x, gamma, $0) }, "eval BN beta")
    }

    @Test func activationsBackwardMatchFiniteDifferences() {
        let n = 40
        let x = GradientCheck.separated(n, seed: 11).map { $0 * 3 }
        let r = KernelReferenceTests.random(n, seed: 12)
        typealias Forward = (UnsafeMutablePointer<Float>, Int) -> Void
        let forwards: [(String, Forward)] = [("relu", Activation.relu), ("silu", Activation.silu),
                                             ("sigmoid", Activation.sigmoid)]
        for (name, f) in forwards {
            func loss(_ x: [Float]) -> Double {
                var y = x
                f(&y, n)
                return GradientCheck.projection(y, r)
            }
            var y = x
            f(&y, n)
            var dx = [Float](repeating: .nan, count: n)
            switch name {
            case "relu": ActivationBackward.relu(output: y, outputGradient: r, inputGradient: &dx, count: n)
            case "silu": ActivationBackward.silu(input: x, outputGradient: r, inputGradient: &dx, count: n)
            default: ActivationBackward.sigmoid(output: y, outputGradient: r, inputGradient: &dx, count: n)
            }
            GradientCheck.expectMatches(dx, GradientCheck.numeric(x, loss), name)
        }
    }

    @Test func activationsMatchClosedForms() {
        var x: [Float] = [-3, -0.5, 0, 0.5, 3, -.infinity]
        var relu = x, silu = x, sigmoid = x
        Activation.relu(&relu, count: x.count)
        Activation.silu(&silu, count: x.count)
        Activation.sigmoid(&sigmoid, count: x.count)
        x.removeLast()
        #expect(relu == [0, 0, 0, 0.5, 3, 0])
        for (i, v) in x.enumerated() {
            let s = 1 / (1 + exp(-Double(v)))
            #expect(abs(Double(sigmoid[i]) - s) < 1e-7)
            #expect(abs(Double(silu[i]) - Double(v) * s) < 1e-6)
        }
        #expect(sigmoid[5] == 0)
        #expect(silu[5].isNaN || silu[5] == 0)
    }

    static let pools: [Pool2DGeometry] = [
        Pool2DGeometry(batch: 2, channels: 2, height: 5, width: 6, kernel: 3, stride: 2, padding: 1),
        Pool2DGeometry(batch: 1, channels: 3, height: 4, width: 5, kernel: 2, stride: 2),
        Pool2DGeometry(batch: 1, channels: 2, height: 5, width: 5, kernel: 3, stride: 1, padding: 1),
    ]

    @Test(arguments: pools)
    func poolingBackwardMatchesFiniteDifferences(_ g: Pool2DGeometry) {
        let nIn = g.planes * g.inputPlane, nOut = g.planes * g.outputPlane
        let x = GradientCheck.separated(nIn, seed: 13)
        let r = KernelReferenceTests.random(nOut, seed: 14)

        // max: ties are impossible (distinct values), so the gradient is well defined.
        func maxLoss(_ x: [Float]) -> Double {
            var y = [Float](repeating: 0, count: nOut)
            Pooling2D.max(g, input: x, output: &y, indices: nil)
            return GradientCheck.projection(y, r)
        }
        var y = [Float](repeating: 0, count: nOut), indices = [Int32](repeating: 0, count: nOut)
        Pooling2D.max(g, input: x, output: &y, indices: &indices)
        var dx = [Float](repeating: .nan, count: nIn)
        Pooling2D.maxBackward(g, outputGradient: r, indices: indices, inputGradient: &dx)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x, maxLoss), "max pool \(g)")

        for include in [true, false] {
            func avgLoss(_ x: [Float]) -> Double {
                var y = [Float](repeating: 0, count: nOut)
                Pooling2D.average(g, input: x, output: &y, countIncludePadding: include)
                return GradientCheck.projection(y, r)
            }
            Pooling2D.averageBackward(g, outputGradient: r, inputGradient: &dx, countIncludePadding: include)
            GradientCheck.expectMatches(dx, GradientCheck.numeric(x, avgLoss), "avg pool \(g) include \(include)")
        }
    }

    @Test func globalAveragePoolBackwardMatchesFiniteDifferences() {
        let planes = 6, spatial = 5
        let x = KernelReferenceTests.random(planes * spatial, seed: 15)
        let r = KernelReferenceTests.random(planes, seed: 16)
        func loss(_ x: [Float]) -> Double {
            var y = [Float](repeating: 0, count: planes)
            Pooling2D.globalAverage(x, planes: planes, spatial: spatial, output: &y)
            return GradientCheck.projection(y, r)
        }
        var dx = [Float](repeating: .nan, count: planes * spatial)
        Pooling2D.globalAverageBackward(r, planes: planes, spatial: spatial, inputGradient: &dx)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x, loss), "global average pool")
    }

    @Test func linearBackwardMatchesFiniteDifferences() {
        let rows = 3, fin = 5, fout = 4
        let x = KernelReferenceTests.random(rows * fin, seed: 17)
        let w = KernelReferenceTests.random(fout * fin, seed: 18)
        let b = KernelReferenceTests.random(fout, seed: 19)
        let r = KernelReferenceTests.random(rows * fout, seed: 20)
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var y = [Float](repeating: 0, count: rows * fout)
            LinearKernel.forward(x, rows: rows, inFeatures: fin, outFeatures: fout, weight: w, bias: b, output: &y)
            return GradientCheck.projection(y, r)
        }
        var dx = [Float](repeating: .nan, count: rows * fin)
        var dw = [Float](repeating: 0, count: fout * fin), db = [Float](repeating: 0, count: fout)
        LinearKernel.backward(x, rows: rows, inFeatures: fin, outFeatures: fout, weight: w, outputGradient: r,
                              inputGradient: &dx, weightGradient: &dw, biasGradient: &db)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x) { loss($0, w, b) }, "linear input")
        GradientCheck.expectMatches(dw, GradientCheck.numeric(w) { loss(x, $0, b) }, "linear weight")
        GradientCheck.expectMatches(db, GradientCheck.numeric(b) { loss(x, w, $0) }, "linear bias")
    }

    /// A residual block's tail: `y = relu(conv(x) + x)`. The gradient of `x` is the sum of the
    /// path through the convolution and the shortcut (`Residual.accumulate`).
    @Test func residualAddBackwardMatchesFiniteDifferences() {
        let g = Conv2DGeometry(batch: 2, inChannels: 2, height: 4, width: 4, outChannels: 2, kernel: 3, padding: 1)
        let w = KernelReferenceTests.random(g.weightCount, seed: 22).map { $0 * 0.5 }
        let r = KernelReferenceTests.random(g.outputCount, seed: 23)
        func preActivation(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: g.outputCount)
            Conv2D.forward(g, input: x, weight: w, bias: nil, output: &y)
            Residual.add(&y, x, count: y.count)
            return y
        }
        func forward(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: g.outputCount)
            Conv2D.forward(g, input: x, weight: w, bias: nil, output: &y)
            Residual.addReLU(&y, x, count: y.count)
            return y
        }
        // The first seeded input whose pre-activations keep clear of the ReLU kink (|·| > 1e-2),
        // so that the finite differences never straddle it.
        let x = (UInt64(21)...UInt64(200)).lazy.map { KernelReferenceTests.random(g.inputCount, seed: $0) }
            .first { preActivation($0).allSatisfy { abs($0) > 1e-2 } }!
        let y = forward(x)
        #expect(zip(y, preActivation(x)).allSatisfy { $0 == max($1, 0) })
        #expect(y.contains(0) && y.contains { $0 > 0 }, "both sides of the ReLU are exercised")

        var dPre = [Float](repeating: 0, count: g.outputCount)
        ActivationBackward.relu(output: y, outputGradient: r, inputGradient: &dPre, count: dPre.count)
        var dx = [Float](repeating: 0, count: g.inputCount)
        Conv2D.backward(g, input: x, weight: w, outputGradient: dPre, inputGradient: &dx, weightGradient: nil,
                        biasGradient: nil)
        Residual.accumulate(&dx, dPre, count: dx.count)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x) { GradientCheck.projection(forward($0), r) },
                                    "residual block input")
    }
}
