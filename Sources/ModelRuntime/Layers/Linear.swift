/// A fully connected layer `y = x · Wᵀ + b` with PyTorch's weight layout `[out, in]`.
package struct Linear: Sendable {
    /// `[outFeatures, inFeatures]`
    package let weight: Tensor
    /// `[outFeatures]`
    package let bias: Tensor?

    package var inFeatures: Int { weight.shape[1] }
    package var outFeatures: Int { weight.shape[0] }

    package init(weight: Tensor, bias: Tensor?) {
        precondition(weight.shape.count == 2, "Linear weight must be 2-D, got \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]], "Linear bias shape mismatch")
        self.weight = weight
        self.bias = bias
    }

    /// Applies the layer to `rows` input rows.
    ///
    /// - Parameters:
    ///   - input: `[rows, inFeatures]`, row-major.
    ///   - output: `[rows, outFeatures]`, overwritten.
    package func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
        let n = outFeatures, k = inFeatures
        var beta: Float = 0
        if let bias {
            bias.withUnsafeBufferPointer { b in
                for r in 0..<rows { (output + r * n).update(from: b.baseAddress!, count: n) }
            }
            beta = 1
        }
        weight.withUnsafeBufferPointer { w in
            MatMul.gemm(transposeB: true, m: rows, n: n, k: k, a: input, lda: k,
                        b: w.baseAddress!, ldb: k, beta: beta, c: output, ldc: n)
        }
    }
}
