import Foundation
import Testing
@testable import ModelRuntime

/// Backward passes of the transformer kernels (LayerNorm, exact GELU, packed self-attention,
/// strided linear layers) against finite differences and plain-loop references.
struct TransformerBackwardTests {
    @Test func layerNormBackwardMatchesFiniteDifferences() {
        let rows = 3, width = 6
        let x = KernelReferenceTests.random(rows * width, seed: 21).map { $0 * 2 + 0.4 }
        let gamma = KernelReferenceTests.random(width, seed: 22).map { $0 + 1.2 }
        let beta = KernelReferenceTests.random(width, seed: 23)
        let r = KernelReferenceTests.random(rows * width, seed: 24)
        func loss(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> Double {
            var y = x
            LayerNormKernel.apply(&y, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: 1e-12)
            return GradientCheck.projection(y, r)
        }
        var dx = [Float](repeating: .nan, count: rows * width)
        var dgamma = [Float](repeating: 0, count: width), dbeta = dgamma
        LayerNormKernel.backward(input: x, outputGradient: r, rows: rows, width: width, gamma: gamma, epsilon: 1e-12,
                                 inputGradient: &dx, gammaGradient: &dgamma, betaGradient: &dbeta)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x) { loss($0, gamma, beta) }, "layer norm input")
        GradientCheck.expectMatches(dgamma, GradientCheck.numeric(gamma) { loss(x, $0, beta) }, "layer norm gamma")
        GradientCheck.expectMatches(dbeta, GradientCheck.numeric(beta) { loss(x, gamma, $0) }, "layer norm beta")

        // In place (dx over dy), accumulating into non-zero parameter gradients.
        var inPlace = r
        var dgamma2 = [Float](repeating: 1, count: width), dbeta2 = dgamma2
        inPlace.withUnsafeMutableBufferPointer { p in
            LayerNormKernel.backward(input: x, outputGradient: p.baseAddress!, rows: rows, width: width, gamma: gamma,
                                     epsilon: 1e-12, inputGradient: p.baseAddress!, gammaGradient: &dgamma2,
                                     betaGradient: &dbeta2)
        }
        #expect(inPlace == dx)
        for (accumulated, fresh) in zip(dgamma2 + dbeta2, dgamma + dbeta) { #expect(abs(accumulated - (fresh + 1)) <= 1e-6) }
    }

    @Test func geluBackwardMatchesFiniteDifferencesAndClosedForm() {
        let n = 41
        let x = GradientCheck.separated(n, seed: 25).map { $0 * 4 }
        let r = KernelReferenceTests.random(n, seed: 26)
        func loss(_ x: [Float]) -> Double {
            var y = x
            Activation.geluErf(&y, count: n)
            return GradientCheck.projection(y, r)
        }
        var dx = [Float](repeating: .nan, count: n)
        ActivationBackward.geluErf(input: x, outputGradient: r, inputGradient: &dx, count: n)
        GradientCheck.expectMatches(dx, GradientCheck.numeric(x, loss), "gelu")
        // d/dx [x·Φ(x)] = Φ(x) + x·φ(x), with libm's erf.
        for i in 0..<n {
            let v = Double(x[i])
            let exact = 0.5 * (1 + erf(v / 2.0.squareRoot())) + v * exp(-v * v / 2) / (2 * Double.pi).squareRoot()
            #expect(abs(Double(dx[i]) - exact * Double(r[i])) <= 2e-6, "gelu' at \(v)")
        }
    }

    static let attentionCases: [(lengths: [Int], threads: Int)] = [([5, 1, 8, 3], 1), ([5, 1, 8, 3], 2), ([2], 1)]

    @Test(arguments: attentionCases)
    func attentionBackwardMatchesReference(lengths: [Int], threads: Int) {
        ComputeThreads.withThreads(threads) {
            let heads = 3, headSize = 4, total = lengths.reduce(0, +), hidden = heads * headSize
            let qkv = KernelReferenceTests.random(total * 3 * hidden, seed: 27).map { $0 * 2 }
            let dOut = KernelReferenceTests.random(total * hidden, seed: 28)
            var fast = [Float](repeating: .nan, count: total * 3 * hidden)
            var slow = [Float](repeating: .nan, count: total * 3 * hidden)
            Attention.backward(qkv: qkv, lengths: lengths, heads: heads, headSize: headSize, outputGradient: dOut,
                               qkvGradient: &fast)
            Attention.backwardReference(qkv: qkv, lengths: lengths, heads: heads, headSize: headSize, outputGradient: dOut,
                                        qkvGradient: &slow)
            let worst = zip(fast, slow).map { abs($0 - $1) }.max() ?? .nan
            #expect(worst <= 1e-5, "max |fast − reference| \(worst)")
        }
    }

    @Test func attentionBackwardMatchesFiniteDifferences() {
        let heads = 2, headSize = 3, lengths = [4, 2], total = 6, hidden = heads * headSize
        let qkv = KernelReferenceTests.random(total * 3 * hidden, seed: 29).map { $0 * 1.5 }
        let r = KernelReferenceTests.random(total * hidden, seed: 30)
        func loss(_ qkv: [Float]) -> Double {
            var out = [Float](repeating: 0, count: total * hidden)
            Attention.forward(qkv: qkv, lengths: lengths, heads: heads, headSize: headSize, output: &out)
            return GradientCheck.projection(out, r)
        }
        var d = [Float](repeating: .nan, count: total * 3 * hidden)
        Attention.backward(qkv: qkv, lengths: lengths, heads: heads, headSize: headSize, outputGradient: r, qkvGradient: &d)
        GradientCheck.expectMatches(d, GradientCheck.numeric(qkv, loss), "attention q/k/v")
    }

    /// A linear layer writing a column block of a wider buffer (and reading its gradient from
    /// there) computes what the plain layer computes; input gradients accumulate on request.
    @Test func stridedLinearMatchesPlain() {
        let rows = 5, inFeatures = 4, outFeatures = 3, stride = 8, column = 2
        let x = KernelReferenceTests.random(rows * inFeatures, seed: 31)
        let w = KernelReferenceTests.random(outFeatures * inFeatures, seed: 32)
        let b = KernelReferenceTests.random(outFeatures, seed: 33)
        var plain = [Float](repeating: 0, count: rows * outFeatures)
        LinearKernel.forward(x, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, weight: w, bias: b, output: &plain)
        var wide = [Float](repeating: 7, count: rows * stride)
        wide.withUnsafeMutableBufferPointer {
            LinearKernel.forward(x, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, weight: w, bias: b,
                                 output: $0.baseAddress! + column, outputStride: stride)
        }
        for r in 0..<rows {
            #expect(Array(wide[(r * stride + column)..<(r * stride + column + outFeatures)])
                    == Array(plain[(r * outFeatures)..<((r + 1) * outFeatures)]))
            #expect(wide[r * stride] == 7 && wide[r * stride + stride - 1] == 7)
        }

        let dy = KernelReferenceTests.random(rows * outFeatures, seed: 34)
        var dyWide = [Float](repeating: 100, count: rows * stride)
        for r in 0..<rows { for o in 0..<outFeatures { dyWide[r * stride + column + o] = dy[r * outFeatures + o] } }
        var dx = [Float](repeating: 0, count: rows * inFeatures), dw = [Float](repeating: 0, count: w.count)
        var db = [Float](repeating: 0, count: outFeatures)
        LinearKernel.backward(x, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, weight: w, outputGradient: dy,
                              inputGradient: &dx, weightGradient: &dw, biasGradient: &db)
        var dx2 = [Float](repeating: 1, count: rows * inFeatures), dw2 = [Float](repeating: 0, count: w.count)
        var db2 = [Float](repeating: 0, count: outFeatures)
        dyWide.withUnsafeBufferPointer {
            LinearKernel.backward(x, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, weight: w,
                                  outputGradient: $0.baseAddress! + column, outputStride: stride, inputGradient: &dx2,
                                  accumulateInputGradient: true, weightGradient: &dw2, biasGradient: &db2)
        }
        for (a, e) in zip(dx2, dx) { #expect(abs(a - (e + 1)) <= 1e-6) }
        #expect(dw2 == dw)
        #expect(db2 == db)
    }
}
