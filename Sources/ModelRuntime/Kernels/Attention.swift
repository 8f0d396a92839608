import Foundation

/// Scaled dot-product self-attention over packed sequences, reading queries, keys and values
/// in place from a fused `[totalTokens, 3 · hidden]` projection (`hidden = heads · headSize`).
package enum Attention {
    /// `output[t, h·d ..< (h+1)·d] = softmax(Q_h Kᵀ_h / √d) V_h` for each sequence and head.
    ///
    /// - Parameters:
    ///   - qkv: `[totalTokens, 3 · heads · headSize]`: queries, then keys, then values per row.
    ///   - lengths: token count of each packed sequence.
    ///   - output: `[totalTokens, heads · headSize]`, overwritten.
    /// Sequences are spread over `ComputeThreads.current` workers; per-head products use sgemm
    /// with strides, so no head is ever copied out.
    package static func forward(qkv: UnsafePointer<Float>, lengths: [Int], heads: Int, headSize: Int,
                               output: UnsafeMutablePointer<Float>) {
        var offsets = [Int](repeating: 0, count: lengths.count)
        for i in 1..<max(lengths.count, 1) { offsets[i] = offsets[i - 1] + lengths[i - 1] }
        let starts = offsets
        let workers = min(ComputeThreads.current, lengths.count)
        let longest = lengths.max() ?? 0
        let qkvAddress = UInt(bitPattern: qkv), outAddress = UInt(bitPattern: output)
        let run: @Sendable (Int) -> Void = { worker in
            let qkv = UnsafePointer<Float>(bitPattern: qkvAddress)!
            let output = UnsafeMutablePointer<Float>(bitPattern: outAddress)!
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: max(longest * longest, 1))
            defer { scores.deallocate() }
            for s in stride(from: worker, to: lengths.count, by: max(workers, 1)) {
                sequence(qkv: qkv + starts[s] * 3 * heads * headSize, length: lengths[s], heads: heads,
                         headSize: headSize, output: output + starts[s] * heads * headSize, scores: scores)
            }
        }
        if workers > 1 {
            DispatchQueue.concurrentPerform(iterations: workers, execute: run)
        } else {
            run(0)
        }
    }

    private static func sequence(qkv: UnsafePointer<Float>, length: Int, heads: Int, headSize: Int,
                                 output: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>) {
        let hidden = heads * headSize, stride = 3 * hidden
        let scale = 1 / Float(headSize).squareRoot()
        for h in 0..<heads {
            let q = qkv + h * headSize, k = q + hidden, v = q + 2 * hidden
            MatMul.gemm(transposeB: true, m: length, n: length, k: headSize, alpha: scale,
                        a: q, lda: stride, b: k, ldb: stride, c: scores, ldc: length)
            Softmax.rows(scores, rows: length, width: length)
            MatMul.gemm(m: length, n: headSize, k: length, a: scores, lda: length,
                        b: v, ldb: stride, c: output + h * headSize, ldc: hidden)
        }
    }

    /// The same contract in plain loops (Double accumulation, one sequence at a time):
    /// the reference `forward` is tested against.
    package static func reference(qkv: UnsafePointer<Float>, lengths: [Int], heads: Int, headSize: Int,
                                 output: UnsafeMutablePointer<Float>) {
        let hidden = heads * headSize, stride = 3 * hidden
        let scale = 1 / Double(headSize).squareRoot()
        var start = 0
        for length in lengths {
            for h in 0..<heads {
                for i in 0..<length {
                    var weights = [Double](repeating: 0, count: length)
                    for j in 0..<length {
                        var dot = 0.0
                        for d in 0..<headSize {
                            dot += Double(qkv[(start + i) * stride + h * headSize + d])
                                * Double(qkv[(start + j) * stride + hidden + h * headSize + d])
                        }
                        weights[j] = dot * scale
                    }
                    let maximum = weights.max() ?? 0
                    let exps = weights.map { Foundation.exp($0 - maximum) }
                    let sum = exps.reduce(0, +)
                    for d in 0..<headSize {
                        var acc = 0.0
                        for j in 0..<length {
                            acc += exps[j] / sum * Double(qkv[(start + j) * stride + 2 * hidden + h * headSize + d])
                        }
                        output[(start + i) * hidden + h * headSize + d] = Float(acc)
                    }
                }
            }
            start += length
        }
    }
}
