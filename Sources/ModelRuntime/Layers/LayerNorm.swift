/// Layer normalization over the last dimension with learned scale and shift.
public struct LayerNorm: Sendable {
    /// `[width]`
    public let weight: Tensor
    /// `[width]`
    public let bias: Tensor
    public let epsilon: Float

    public var width: Int { weight.count }

    public init(weight: Tensor, bias: Tensor, epsilon: Float) {
        precondition(weight.shape == bias.shape && weight.shape.count == 1, "LayerNorm parameter shapes")
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// Normalizes `rows` rows of `width` in place; with `residual`, adds it first.
    public func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, adding residual: UnsafePointer<Float>? = nil) {
        weight.withUnsafeBufferPointer { g in
            bias.withUnsafeBufferPointer { b in
                if let residual {
                    LayerNormKernel.addAndApply(x, residual: residual, rows: rows, width: width,
                                                gamma: g.baseAddress!, beta: b.baseAddress!, epsilon: epsilon)
                } else {
                    LayerNormKernel.apply(x, rows: rows, width: width, gamma: g.baseAddress!,
                                          beta: b.baseAddress!, epsilon: epsilon)
                }
            }
        }
    }
}
