public import ArgumentParser
import ModelRuntime

/// The `--threads` knob: BLAS threads and parallel loops (one knob for the whole suite).
public struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads for BLAS and parallel loops (default: all cores).")
    public var threads: Int?

    public init() {}

    public func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Sets the threads (all cores when not given).
    public func apply() { ComputeThreads.set(threads ?? ComputeThreads.available) }
}
