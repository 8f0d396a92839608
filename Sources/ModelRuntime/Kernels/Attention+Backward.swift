import Foundation

extension Attention {
    /// The gradient of `forward` with respect to the fused projection. Per sequence and head,
    /// with `P = softmax(Q Kᵀ / √d)` recomputed from `qkv` and `dO` the output gradient:
    /// `dV = Pᵀ dO`, `dP = dO Vᵀ`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))`, `dQ = dS K / √d`,
    /// `dK = dSᵀ Q / √d`.
    ///
    /// - Parameters:
    ///   - qkv: `[totalTokens, 3 · heads · headSize]`, the forward input
    ///   - lengths: token count of each packed sequence
    ///   - outputGradient: `[totalTokens, heads · headSize]`
    ///   - qkvGradient: `[totalTokens, 3 · heads · headSize]`, overwritten
    /// Sequences are spread over `ComputeThreads.current` workers, like `forward`.
    package static func backward(qkv: UnsafePointer<Float>, lengths: [Int], heads: Int, headSize: Int,
                                outputGradient: UnsafePointer<Float>, qkvGradient: UnsafeMutablePointer<Float>) {
        var offsets = [Int](repeating: 0, count: lengths.count)
        for i in 1..<max(lengths.count, 1) { offsets[i] = offsets[i - 1] + lengths[i - 1] }
        let starts = offsets
        let workers = min(ComputeThreads.current, lengths.count)
        let longest = lengths.max() ?? 0
        let qkvAddress = UInt(bitPattern: qkv), dOutAddress = UInt(bitPattern: outputGradient)
        let dQKVAddress = UInt(bitPattern: qkvGradient)
        let run: @Sendable (Int) -> Void = { worker in
            let qkv = UnsafePointer<Float>(bitPattern: qkvAddress)!
            let dOut = UnsafePointer<Float>(bitPattern: dOutAddress)!
            let dQKV = UnsafeMutablePointer<Float>(bitPattern: dQKVAddress)!
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(2 * longest * longest, 1))
            defer { scratch.deallocate() }
            let hidden = heads * headSize
            for s in stride(from: worker, to: lengths.count, by: max(workers, 1)) {
                sequenceBackward(qkv: qkv + starts[s] * 3 * hidden, length: lengths[s], heads: heads, headSize: headSize,
                                 outputGradient: dOut + starts[s] * hidden, qkvGradient: dQKV + starts[s] * 3 * hidden,
                                 probabilities: scratch, probabilityGradient: scratch + longest * longest)
            }
        }
        if workers > 1 {
            DispatchQueue.concurrentPerform(iterations: workers, execute: run)
        } else {
            run(0)
        }
    }

    private static func sequenceBackward(qkv: UnsafePointer<Float>, length: Int, heads: Int, headSize: Int,
                                         outputGradient: UnsafePointer<Float>, qkvGradient: UnsafeMutablePointer<Float>,
                                         probabilities p: UnsafeMutablePointer<Float>,
                                         probabilityGradient dp: UnsafeMutablePointer<Float>) {
        let hidden = heads * headSize, stride = 3 * hidden
        let scale = 1 / Float(headSize).squareRoot()
        for h in 0..<heads {
            let q = qkv + h * headSize, k = q + hidden, v = q + 2 * hidden
            let dq = qkvGradient + h * headSize, dk = dq + hidden, dv = dq + 2 * hidden
            let dOut = outputGradient + h * headSize
            MatMul.gemm(transposeB: true, m: length, n: length, k: headSize, alpha: scale,
                        a: q, lda: stride, b: k, ldb: stride, c: p, ldc: length)
            Softmax.rows(p, rows: length, width: length)
            // dV = Pᵀ dO; dP = dO Vᵀ
            MatMul.gemm(transposeA: true, m: length, n: headSize, k: length, a: p, lda: length,
                        b: dOut, ldb: hidden, c: dv, ldc: stride)
            MatMul.gemm(transposeB: true, m: length, n: length, k: headSize, a: dOut, lda: hidden,
                        b: v, ldb: stride, c: dp, ldc: length)
            // Softmax backward, row by row: dS = P ⊙ (dP − Σ_j P dP), written over dP.
            for i in 0..<length {
                let pRow = p + i * length, dRow = dp + i * length
                var dot: Float = 0
                for j in 0..<length { dot += pRow[j] * dRow[j] }
                for j in 0..<length { dRow[j] = pRow[j] * (dRow[j] - dot) }
            }
            // dQ = dS K · scale; dK = dSᵀ Q · scale
            MatMul.gemm(m: length, n: headSize, k: length, alpha: scale, a: dp, lda: length,
                        b: k, ldb: stride, c: dq, ldc: stride)
            MatMul.gemm(transposeA: true, m: length, n: headSize, k: length, alpha: scale, a: dp, lda: length,
                        b: q, ldb: stride, c: dk, ldc: stride)
        }
    }

    /// The same contract as `backward` in plain loops (Double accumulation): the reference it
    /// is tested against.
    package static func backwardReference(qkv: UnsafePointer<Float>, lengths: [Int], heads: Int, headSize: Int,
                                         outputGradient: UnsafePointer<Float>,
                                         qkvGradient: UnsafeMutablePointer<Float>) {
        let hidden = heads * headSize, stride = 3 * hidden
        let scale = 1 / Double(headSize).squareRoot()
        func at(_ t: Int, _ block: Int, _ h: Int, _ d: Int) -> Int { t * stride + block * hidden + h * headSize + d }
        var start = 0
        for length in lengths {
            for h in 0..<heads {
                // Probabilities P[i][j].
                var prob = [[Double]](repeating: [Double](repeating: 0, count: length), count: length)
                for i in 0..<length {
                    var scores = [Double](repeating: 0, count: length)
                    for j in 0..<length {
                        var dot = 0.0
                        for d in 0..<headSize {
                            dot += Double(qkv[at(start + i, 0, h, d)]) * Double(qkv[at(start + j, 1, h, d)])
                        }
                        scores[j] = dot * scale
                    }
                    let maximum = scores.max() ?? 0
                    let exps = scores.map { Foundation.exp($0 - maximum) }
                    let sum = exps.reduce(0, +)
                    prob[i] = exps.map { $0 / sum }
                }
                func dOut(_ t: Int, _ d: Int) -> Double { Double(outputGradient[(start + t) * hidden + h * headSize + d]) }
                // dS[i][j] = P[i][j] · (dP[i][j] − Σ_k P[i][k] dP[i][k]), dP[i][j] = Σ_d dO[i][d] V[j][d].
                var dS = [[Double]](repeating: [Double](repeating: 0, count: length), count: length)
                for i in 0..<length {
                    var dP = [Double](repeating: 0, count: length)
                    for j in 0..<length {
                        for d in 0..<headSize { dP[j] += dOut(i, d) * Double(qkv[at(start + j, 2, h, d)]) }
                    }
                    var dot = 0.0
                    for j in 0..<length { dot += prob[i][j] * dP[j] }
                    for j in 0..<length { dS[i][j] = prob[i][j] * (dP[j] - dot) }
                }
                for t in 0..<length {
                    for d in 0..<headSize {
                        var dq = 0.0, dk = 0.0, dv = 0.0
                        for j in 0..<length {
                            dq += dS[t][j] * Double(qkv[at(start + j, 1, h, d)])
                            dk += dS[j][t] * Double(qkv[at(start + j, 0, h, d)])
                            dv += prob[j][t] * dOut(j, d)
                        }
                        qkvGradient[at(start + t, 0, h, d)] = Float(dq * scale)
                        qkvGradient[at(start + t, 1, h, d)] = Float(dk * scale)
                        qkvGradient[at(start + t, 2, h, d)] = Float(dv)
                    }
                }
            }
            start += length
        }
    }
}
