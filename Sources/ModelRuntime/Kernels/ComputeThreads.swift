import CBLAS
import Foundation

/// The suite's one thread knob: how many cores BLAS (and our parallel loops) may use.
public enum ComputeThreads {
    /// All cores of the machine.
    public static var available: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Sets the number of OpenBLAS threads; values are clamped to 1...available.
    public static func set(_ n: Int) {
        BLASKernels.selectOnce
        let clamped = min(max(n, 1), max(available, 1))
        openblas_set_num_threads(Int32(clamped))
        current = clamped
    }

    /// Runs `body` with BLAS on one thread (restored after): for loops whose own workers each
    /// call sgemm, so that BLAS does not start threads of its own under them.
    static func withSerialBLAS<R>(_ body: () throws -> R) rethrows -> R {
        BLASKernels.selectOnce
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(current)) }
        return try body()
    }

    /// The OpenBLAS kernel family in use (e.g. "SkylakeX"), for reports.
    public static var blasCore: String {
        BLASKernels.selectOnce
        return BLASKernels.coreName
    }

    /// The value last set (all cores until then).
    nonisolated(unsafe) public private(set) static var current: Int = available
}
