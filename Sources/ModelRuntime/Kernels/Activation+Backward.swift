import Foundation

/// Gradients of the element-wise activations. Each takes the upstream gradient `dy` and writes
/// `dx` (overwritten; `dx` may be `dy`, in place).
package enum ActivationBackward {
    /// ReLU from its *output* `y` (so the forward may run in place): `dx = y > 0 ? dy : 0`.
    package static func relu(output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                            inputGradient dx: UnsafeMutablePointer<Float>, count: Int) {
        let ys = SendablePointer(UnsafeMutablePointer(mutating: y))
        let dys = SendablePointer(UnsafeMutablePointer(mutating: dy)), dxs = SendablePointer(dx)
        Parallel.forEachRange(count, minimumPerWorker: 1 << 16) { range in
            // Eight at a time (the compiler does not vectorise the select when dx may alias dy).
            let y = ys.pointer, dy = dys.pointer, dx = dxs.pointer, zero = SIMD8<Float>()
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                var d = dy.simd8(i)
                d.replace(with: zero, where: .!(y.simd8(i) .> zero))
                dx.store(d, at: i)
                i += 8
            }
            while i < range.upperBound {
                dx[i] = y[i] > 0 ? dy[i] : 0
                i += 1
            }
        }
    }

    /// SiLU from its *input* `x`: `dx = dy · σ(x) · (1 + x · (1 − σ(x)))`.
    package static func silu(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                            inputGradient dx: UnsafeMutablePointer<Float>, count: Int) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x))
        let dys = SendablePointer(UnsafeMutablePointer(mutating: dy)), dxs = SendablePointer(dx)
        Parallel.forEachRange(count, minimumPerWorker: 1 << 14) { range in
            for i in range {
                let v = xs.pointer[i]
                let s = 1 / (1 + expf(-v))
                dxs.pointer[i] = dys.pointer[i] * s * (1 + v * (1 - s))
            }
        }
    }

    /// Sigmoid from its *output* `y`: `dx = dy · y · (1 − y)`.
    package static func sigmoid(output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                               inputGradient dx: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dx[i] = dy[i] * y[i] * (1 - y[i]) }
    }

    /// Exact (erf) GELU from its *input* `x`: `dx = dy · (Φ(x) + x · φ(x))`, with the standard
    /// normal CDF `Φ(x) = (1 + erf(x / √2)) / 2` (`Activation.erfRational`) and density
    /// `φ(x) = e^(−x²/2) / √(2π)`. Spread over the compute threads for large buffers.
    package static func geluErf(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                               inputGradient dx: UnsafeMutablePointer<Float>, count: Int) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x))
        let dys = SendablePointer(UnsafeMutablePointer(mutating: dy)), dxs = SendablePointer(dx)
        let invSqrt2: Float = 0.707_106_781_186_547_5, invSqrt2Pi: Float = 0.398_942_280_401_432_7
        Parallel.forEachRange(count, minimumPerWorker: 1 << 14) { range in
            for i in range {
                let v = xs.pointer[i]
                let cdf = 0.5 * (1 + Activation.erfRational(v * invSqrt2))
                let density = invSqrt2Pi * expf(-0.5 * v * v)
                dxs.pointer[i] = dys.pointer[i] * (cdf + v * density)
            }
        }
    }
}
