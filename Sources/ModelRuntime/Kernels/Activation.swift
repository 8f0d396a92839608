import Foundation

/// Element-wise activations, in place on contiguous buffers.
public enum Activation {
    /// Exact GELU: `x · Φ(x) = 0.5 · x · (1 + erf(x / √2))` (PyTorch's default, BERT's "gelu").
    public static func geluErf(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2: Float = 0.707_106_781_186_547_5
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erff(v * invSqrt2))
        }
    }
}

/// Row-wise softmax, in place.
public enum Softmax {
    /// Softmax over each of `rows` rows of `width` elements, subtracting the row max first.
    public static func rows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows {
            let row = x + r * width
            var maximum = -Float.infinity
            for i in 0..<width { maximum = max(maximum, row[i]) }
            var sum: Float = 0
            for i in 0..<width {
                let e = expf(row[i] - maximum)
                row[i] = e
                sum += e
            }
            let inverse = 1 / sum
            for i in 0..<width { row[i] *= inverse }
        }
    }
}
