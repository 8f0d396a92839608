import Foundation

extension Activation {
    /// The logistic function `σ(x) = 1 / (1 + e^(−x))` in place.
    package static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let xs = SendablePointer(x)
        Parallel.forEachRange(count, minimumPerWorker: 1 << 14) { range in
            let p = xs.pointer
            for i in range { p[i] = 1 / (1 + expf(-p[i])) }
        }
    }

    /// SiLU (swish) `x · σ(x)` in place. The backward pass needs the input, so keep a copy
    /// when training.
    package static func silu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let xs = SendablePointer(x)
        Parallel.forEachRange(count, minimumPerWorker: 1 << 14) { range in
            let p = xs.pointer
            for i in range { p[i] = p[i] / (1 + expf(-p[i])) }
        }
    }
}
