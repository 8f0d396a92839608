/// How a batch shares the cores: `workers` decoding threads, and `blasThreads` OpenBLAS
/// threads for the one inference loop, with workers × BLAS threads ≤ cores.
public struct ComputePlan: Sendable, Equatable {
    public let workers: Int
    package let blasThreads: Int

    /// Fills in what was not given: workers default to half the cores (at least 1), BLAS
    /// threads to the cores left per worker (`cores / workers`, at least 1).
    /// - Throws: `ComputePlanError` when the product of the two would exceed `cores`.
    public init(workers: Int?, threads: Int?, cores: Int) throws {
        precondition(cores >= 1, "\(cores) cores")
        if let workers, workers < 1 { throw ComputePlanError.notPositive(option: "--workers", value: workers) }
        if let threads, threads < 1 { throw ComputePlanError.notPositive(option: "--threads", value: threads) }
        let w = workers ?? max(1, threads.map { cores / $0 } ?? cores / 2)
        let t = threads ?? max(1, cores / w)
        guard w * t <= cores else { throw ComputePlanError.oversubscribed(workers: w, threads: t, cores: cores) }
        self.workers = w
        self.blasThreads = t
    }
}

package enum ComputePlanError: Error, CustomStringConvertible, Equatable {
    case notPositive(option: String, value: Int)
    case oversubscribed(workers: Int, threads: Int, cores: Int)

    package var description: String {
        switch self {
        case .notPositive(let option, let value): "\(option) must be at least 1 (got \(value))"
        case .oversubscribed(let w, let t, let cores):
            "\(w) workers × \(t) BLAS threads exceeds the \(cores) cores of this machine; lower --workers or --threads"
        }
    }
}
