/// Layer normalization over the last dimension with learned scale and shift.
struct LayerNorm: Sendable {
    /// `[width]`
    let weight: Tensor
    /// `[width]`
    let bias: Tensor
    package let epsilon: Float

    var width: Int { weight.count }

    init(weight: Tensor, bias: Tensor, epsilon: Float) {
        precondition(weight.shape == bias.shape && weight.shape.count == 1, "LayerNorm parameter shapes")
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// Normalizes `rows` rows of `width` in place; with `residual`, adds it first. Rows are
    /// spread over the compute threads.
    func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, adding residual: UnsafePointer<Float>? = nil) {
        weight.withUnsafeBufferPointer { g in
            bias.withUnsafeBufferPointer { b in
                let x = SendablePointer(x), g = SendablePointer(UnsafeMutablePointer(mutating: g.baseAddress!))
                let b = SendablePointer(UnsafeMutablePointer(mutating: b.baseAddress!))
                let r = residual.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
                let width = width, epsilon = epsilon
                Parallel.forEachRange(rows, minimumPerWorker: 16) { range in
                    let offset = range.lowerBound * width
                    if let r {
                        LayerNormKernel.addAndApply(x.pointer + offset, residual: r.pointer + offset, rows: range.count,
                                                    width: width, gamma: g.pointer, beta: b.pointer, epsilon: epsilon)
                    } else {
                        LayerNormKernel.apply(x.pointer + offset, rows: range.count, width: width,
                                              gamma: g.pointer, beta: b.pointer, epsilon: epsilon)
                    }
                }
            }
        }
    }
}
