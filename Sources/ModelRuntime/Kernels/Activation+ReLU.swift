extension Activation {
    /// `max(x, 0)`; NaN stays NaN, as in PyTorch. A select, not a branch, so loops over it vectorise.
    @inline(__always)
    static func relu(_ x: Float) -> Float { x < 0 ? 0 : x }

    /// `x = max(x, 0)` in place on the calling thread (a tile that is still in cache).
    @inline(__always)
    static func reluSequential(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = relu(x[i]) }
    }

    /// `x = max(x, 0)` in place, spread over `ComputeThreads.current` workers for large buffers.
    /// NaN stays NaN, as in PyTorch.
    package static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let xs = SendablePointer(x)
        Parallel.forEachRange(count, minimumPerWorker: 1 << 16) { range in
            reluSequential(xs.pointer + range.lowerBound, count: range.count)
        }
    }
}
