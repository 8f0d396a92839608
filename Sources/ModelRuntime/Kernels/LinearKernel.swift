/// A fully connected layer `y = x · Wᵀ + b` on raw buffers (PyTorch's weight layout
/// `[out, in]`), and its backward pass; `Linear` is the same with the weights held in tensors.
package enum LinearKernel {
    /// - Parameters:
    ///   - input: `[rows, inFeatures]`
    ///   - weight: `[outFeatures, inFeatures]`
    ///   - bias: `[outFeatures]` or nil
    ///   - output: `[rows, outFeatures]`, overwritten; rows `outputStride` apart (default
    ///     `outFeatures`), so that the layer can write a column block of a wider buffer (one of
    ///     Q, K, V in a fused `[rows, 3 · hidden]` projection)
    package static func forward(_ input: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               output: UnsafeMutablePointer<Float>, outputStride: Int? = nil) {
        let ldc = outputStride ?? outFeatures
        precondition(ldc >= outFeatures, "linear: output stride \(ldc) below \(outFeatures) features")
        if let bias {
            for r in 0..<rows { (output + r * ldc).update(from: bias, count: outFeatures) }
        }
        MatMul.gemm(transposeB: true, m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures,
                    b: weight, ldb: inFeatures, beta: bias == nil ? 0 : 1, c: output, ldc: ldc)
    }

    /// Gradients of `forward`:
    /// `dX = dY · W` (overwritten, or added with `accumulateInputGradient`), `dW += dYᵀ · X`,
    /// `db += Σ_rows dY` (accumulated).
    ///
    /// - Parameters:
    ///   - input: the forward input `[rows, inFeatures]`
    ///   - outputGradient: `[rows, outFeatures]`, rows `outputStride` apart (default `outFeatures`)
    ///   - inputGradient: `[rows, inFeatures]` or nil
    ///   - weightGradient: `[outFeatures, inFeatures]` or nil
    ///   - biasGradient: `[outFeatures]` or nil
    ///   - accumulateInputGradient: add `dY · W` to `inputGradient` instead of overwriting it
    ///     (where several layers read the same input, as Q, K and V do)
    package static func backward(_ input: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
                                weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                outputStride: Int? = nil,
                                inputGradient: UnsafeMutablePointer<Float>?,
                                accumulateInputGradient: Bool = false,
                                weightGradient: UnsafeMutablePointer<Float>?,
                                biasGradient: UnsafeMutablePointer<Float>?) {
        let lda = outputStride ?? outFeatures
        precondition(lda >= outFeatures, "linear: output stride \(lda) below \(outFeatures) features")
        if let inputGradient {
            MatMul.gemm(m: rows, n: inFeatures, k: outFeatures, a: outputGradient, lda: lda,
                        b: weight, ldb: inFeatures, beta: accumulateInputGradient ? 1 : 0, c: inputGradient,
                        ldc: inFeatures)
        }
        if let weightGradient {
            MatMul.gemm(transposeA: true, m: outFeatures, n: inFeatures, k: rows, a: outputGradient, lda: lda,
                        b: input, ldb: inFeatures, beta: 1, c: weightGradient, ldc: inFeatures)
        }
        if let biasGradient {
            for r in 0..<rows {
                let dy = outputGradient + r * lda
                for o in 0..<outFeatures { biasGradient[o] += dy[o] }
            }
        }
    }
}

extension Linear {
    /// The backward pass of `apply` with this layer's weights (see `LinearKernel.backward`):
    /// `inputGradient` is overwritten, `weightGradient` and `biasGradient` are accumulated.
    package func backward(_ input: UnsafePointer<Float>, rows: Int, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?,
                         biasGradient: UnsafeMutablePointer<Float>?) {
        weight.withUnsafeBufferPointer { w in
            LinearKernel.backward(input, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures,
                                  weight: w.baseAddress!, outputGradient: outputGradient, inputGradient: inputGradient,
                                  weightGradient: weightGradient, biasGradient: bias == nil ? nil : biasGradient)
        }
    }
}
