extension Activation {
    /// `x = max(x, 0)` in place, spread over `ComputeThreads.current` workers for large buffers.
    /// NaN stays NaN, as in PyTorch.
    public static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let xs = SendablePointer(x)
        Parallel.forEachRange(count, minimumPerWorker: 1 << 16) { range in
            let p = xs.pointer
            for i in range where p[i] < 0 { p[i] = 0 }
        }
    }
}
