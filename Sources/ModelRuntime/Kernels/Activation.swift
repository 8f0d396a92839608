import Foundation

/// Element-wise activations, in place on contiguous buffers.
package enum Activation {
    /// Exact GELU: `x · Φ(x) = 0.5 · x · (1 + erf(x / √2))` (PyTorch's default, BERT's "gelu"),
    /// not the tanh approximation. `erf` is evaluated by `erfRational`, a branch-free form
    /// the compiler vectorises.
    package static func geluErf(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2: Float = 0.707_106_781_186_547_5
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erfRational(v * invSqrt2))
        }
    }

    /// `geluErf` spread over `ComputeThreads.current` workers (inline for small buffers).
    static func geluErfParallel(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let pointer = SendablePointer(x)
        Parallel.forEachRange(count) { range in geluErf(pointer.pointer + range.lowerBound, count: range.count) }
    }

    /// erf(x) in single precision as x·P(x²)/Q(x²) on [-4, 4] (|erf| rounds to 1 beyond), with
    /// the minimax coefficients that Eigen uses for its vectorised float erf; within a few ulp
    /// of libm's `erff` (checked in tests).
    @inline(__always)
    package static func erfRational(_ value: Float) -> Float {
        let x = min(max(value, -4), 4)
        let x2 = x * x
        var p: Float = -2.726_142_3e-10
        p = p * x2 + 2.770_681_4e-08
        p = p * x2 - 2.101_024_0e-06
        p = p * x2 - 5.692_506_4e-05
        p = p * x2 - 7.349_906_3e-04
        p = p * x2 - 2.954_600_0e-03
        p = p * x2 - 1.609_603_3e-02
        var q: Float = -1.456_607_2e-05
        q = q * x2 - 2.133_740_6e-04
        q = q * x2 - 1.682_827_0e-03
        q = q * x2 - 7.373_329_2e-03
        q = q * x2 - 1.426_473_9e-02
        return x * p / q
    }
}

/// Row-wise softmax, in place.
package enum Softmax {
    /// Softmax over each of `rows` rows of `width` elements, subtracting the row max first.
    package static func rows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
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
