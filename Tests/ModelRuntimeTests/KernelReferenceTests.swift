import Foundation
import Testing
@testable import ModelRuntime

/// Fast kernels against their plain-loop references.
struct KernelReferenceTests {
    static func random(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesReference(transposeA: Bool, transposeB: Bool) {
        let m = 7, n = 5, k = 9
        // Stored with extra columns to exercise leading dimensions.
        let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 2, ldc = n + 1
        let a = Self.random((transposeA ? k : m) * lda, seed: 1)
        let b = Self.random((transposeB ? n : k) * ldb, seed: 2)
        var fast = Self.random(m * ldc, seed: 3)
        var slow = fast
        MatMul.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                    a: a, lda: lda, b: b, ldb: ldb, beta: 0.25, c: &fast, ldc: ldc)
        MatMul.gemmReference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                             a: a, lda: lda, b: b, ldb: ldb, beta: 0.25, c: &slow, ldc: ldc)
        for (x, y) in zip(fast, slow) { #expect(abs(x - y) <= 1e-5) }
    }

    @Test(arguments: [1, 2])
    func attentionMatchesReference(threads: Int) {
        ComputeThreads.withThreads(threads) {
            let heads = 3, headSize = 4, lengths = [5, 1, 8, 3]
            let total = lengths.reduce(0, +), hidden = heads * headSize
            let qkv = Self.random(total * 3 * hidden, seed: 7).map { $0 * 3 }
            var fast = [Float](repeating: .nan, count: total * hidden)
            var slow = [Float](repeating: .nan, count: total * hidden)
            Attention.forward(qkv: qkv, lengths: lengths, heads: heads, headSize: headSize, output: &fast)
            Attention.reference(qkv: qkv, lengths: lengths, heads: heads, headSize: headSize, output: &slow)
            for (x, y) in zip(fast, slow) { #expect(abs(x - y) <= 1e-5) }
        }
    }

    @Test func softmaxRowsSumToOneAndSurviveLargeInputs() {
        var x: [Float] = [1000, 1001, 999, -5, 0, 5]
        Softmax.rows(&x, rows: 2, width: 3)
        #expect(abs(x[0..<3].reduce(0, +) - 1) < 1e-6)
        #expect(abs(x[1] - 0.66524094) < 1e-6)
        #expect(abs(x[3..<6].reduce(0, +) - 1) < 1e-6)
    }

    @Test func rationalErfAgreesWithLibm() {
        var worst: Float = 0
        var x: Float = -6
        while x <= 6 {
            worst = max(worst, abs(Activation.erfRational(x) - erff(x)))
            x += 0.001
        }
        #expect(worst < 5e-7, "max |erfRational - erff| = \(worst)")
    }

    @Test func geluIsTheExactErfForm() {
        var x: [Float] = [-3, -1, 0, 0.5, 2]
        Activation.geluErf(&x, count: x.count)
        // 0.5·x·(1 + erf(x/√2)) from the closed form, in Double.
        let want = [-3.0, -1, 0, 0.5, 2].map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }
        for (a, b) in zip(x, want) { #expect(abs(Double(a) - b) < 1e-6) }
    }
}
