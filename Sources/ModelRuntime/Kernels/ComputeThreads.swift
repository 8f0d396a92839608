import CBLAS
import Foundation
import Synchronization

/// The suite's one thread knob: how many cores BLAS and our parallel loops may use.
///
/// Two levels:
/// - `set(_:)` is the process-wide default (the products' `--threads`): OpenBLAS's own thread
///   count and the worker count of our loops wherever no scope says otherwise.
/// - `withThreads(_:_:)` scopes the worker count of our loops (convolution tiles, attention
///   sequences, element-wise passes) to one task or thread, read where each loop starts.
///   Concurrent callers (parallel test suites, a batch runner beside a server) each keep their
///   own, so a scope decides how its kernels split their work. OpenBLAS 0.3.21 has one
///   process-wide count only, which a scope does not change: convolutions run their sgemm calls
///   on one thread anyway (`withSerialBLAS`); other sgemm calls (dense layers, attention heads)
///   use the process-wide count, whichever path they are on.
///
/// Every change of OpenBLAS's count goes through one lock, and while any thread runs a section
/// that wants serial BLAS (`withSerialBLAS`: loops whose own workers each call sgemm), BLAS stays
/// on one thread: the count `set` asks for is applied when the last such section ends, so
/// sections of concurrent callers nest instead of restoring the count under each other's sgemm
/// calls.
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

    /// The worker count of the innermost `withThreads` scope of this task or thread, if any.
    @TaskLocal private static var scoped: Int?

    /// The worker count of our parallel loops here: the enclosing `withThreads` scope's, else
    /// the value last set (OpenBLAS's count at start-up until then).
    public static var current: Int { scoped ?? state.withLock { $0.requested } }

    /// Runs `body` with `n` workers (clamped to 1...available) for the parallel loops it starts
    /// on this task or thread, whatever other threads set or scope meanwhile. OpenBLAS's own
    /// count stays the process-wide one (see the type's notes).
    public static func withThreads<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(clamped(n), operation: body)
    }

    private static func clamped(_ n: Int) -> Int { min(max(n, 1), max(available, 1)) }

    /// Sets the process-wide number of threads (OpenBLAS's and the default worker count);
    /// values are clamped to 1...available.
    public static func set(_ n: Int) {
        BLASKernels.selectOnce
        let clamped = clamped(n)
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
