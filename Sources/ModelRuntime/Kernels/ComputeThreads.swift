import CBLAS
import Foundation
import Synchronization

/// The suite's one thread knob: how many cores BLAS (and our parallel loops) may use.
///
/// OpenBLAS's thread count is process-wide. Every change goes through one lock, and while any
/// thread runs a section that wants serial BLAS (`withSerialBLAS`: loops whose own workers each
/// call sgemm), BLAS stays on one thread: the count `set` asks for is applied when the last such
/// section ends, so sections of concurrent callers (tests, a server) nest instead of restoring
/// the count under each other's sgemm calls. A sgemm that another thread runs outside any section
/// can still see the count change at a section's start or end; the products never do that
/// (inference and training each run one such loop at a time).
public enum ComputeThreads {
    /// All cores of the machine.
    public static var available: Int { ProcessInfo.processInfo.activeProcessorCount }

    private struct State {
        /// The value last set (OpenBLAS's count at start-up until then).
        var requested: Int
        /// Threads inside `withSerialBLAS` right now.
        var serialSections = 0
    }

    /// Starts from OpenBLAS's own count (all cores, or OPENBLAS_NUM_THREADS), so that the first
    /// serial section to end restores what the process was started with.
    private static let state: Mutex<State> = {
        BLASKernels.selectOnce
        return Mutex(State(requested: min(max(Int(openblas_get_num_threads()), 1), max(available, 1))))
    }()

    /// The value last set (OpenBLAS's count at start-up until then): the worker count of our parallel loops.
    public static var current: Int { state.withLock { $0.requested } }

    /// Sets the number of threads; values are clamped to 1...available.
    public static func set(_ n: Int) {
        BLASKernels.selectOnce
        let clamped = min(max(n, 1), max(available, 1))
        state.withLock { s in
            s.requested = clamped
            if s.serialSections == 0 { openblas_set_num_threads(Int32(clamped)) }
        }
    }

    /// Runs `body` with BLAS on one thread (the requested count is restored when no other
    /// thread is in such a section either).
    static func withSerialBLAS<R>(_ body: () throws -> R) rethrows -> R {
        BLASKernels.selectOnce
        state.withLock { s in
            if s.serialSections == 0 && s.requested > 1 { openblas_set_num_threads(1) }
            s.serialSections += 1
        }
        defer {
            state.withLock { s in
                s.serialSections -= 1
                if s.serialSections == 0 && s.requested > 1 { openblas_set_num_threads(Int32(s.requested)) }
            }
        }
        return try body()
    }

    /// The OpenBLAS kernel family in use (e.g. "SkylakeX"), for reports.
    public static var blasCore: String {
        BLASKernels.selectOnce
        return BLASKernels.coreName
    }
}
