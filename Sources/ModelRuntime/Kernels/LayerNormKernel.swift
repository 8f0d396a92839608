import Foundation

/// Row-wise layer normalization over the last dimension.
package enum LayerNormKernel {
    /// `x[r, :] = (x[r, :] - mean) / sqrt(var + eps) * gamma + beta` for `rows` rows of `width`,
    /// in place; mean and (biased) variance accumulate in Double for stability.
    package static func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                             gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float) {
        for r in 0..<rows {
            let row = x + r * width
            var sum = 0.0
            for i in 0..<width { sum += Double(row[i]) }
            let mean = sum / Double(width)
            var squares = 0.0
            for i in 0..<width {
                let d = Double(row[i]) - mean
                squares += d * d
            }
            let inverse = Float(1 / (squares / Double(width) + Double(epsilon)).squareRoot())
            let m = Float(mean)
            for i in 0..<width { row[i] = (row[i] - m) * inverse * gamma[i] + beta[i] }
        }
    }

    /// `x += residual` then layer norm, in place on `x`.
    static func addAndApply(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>, rows: Int,
                                   width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                   epsilon: Float) {
        for i in 0..<(rows * width) { x[i] += residual[i] }
        apply(x, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: epsilon)
    }
}
