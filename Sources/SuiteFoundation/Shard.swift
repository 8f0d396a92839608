/// One of N deterministic parts of a batch input (`--shard I/N` of `triage batch` and
/// `assistant batch`). Every machine reads the whole input but processes only its part, so N
/// runs with `0/N … (N−1)/N` cover every item exactly once:
/// - by content (`contains(sha256:)`, triage images): the first 8 bytes of the SHA-256, read as a
///   big-endian unsigned integer, are `index` modulo `count` — whatever the order or layout of
///   the archive and wherever the copies of an image sit in it;
/// - by position (`contains(ordinal:)`, ticket rows): the row's 1-based ordinal minus one is
///   `index` modulo `count`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 0-based, below `count` (Kubernetes' `JOB_COMPLETION_INDEX`; Slurm's `SLURM_ARRAY_TASK_ID` with `--array=0-(N-1)`).
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else { throw ShardError(text: "\(index)/\(count)") }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { throw ShardError(text: text) }
        try self.init(index: i, count: n)
    }

    /// Whether the row with this 1-based ordinal belongs to the shard.
    public func contains(ordinal: Int) -> Bool { (ordinal - 1) % count == index }

    /// Whether the image with this SHA-256 (lowercase hex) belongs to the shard.
    public func contains(sha256 hex: String) -> Bool {
        guard let prefix = UInt64(hex.prefix(16), radix: 16) else { preconditionFailure("not a SHA-256: \(hex)") }
        return prefix % UInt64(count) == UInt64(index)
    }

    public var description: String { "\(index)/\(count)" }
}

package struct ShardError: Error, CustomStringConvertible, Equatable {
    let text: String
    package var description: String { "--shard \(text): expected I/N with 0 ≤ I < N, e.g. 0/4" }
}
