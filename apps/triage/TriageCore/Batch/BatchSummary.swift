import Foundation

/// Counts of one `triage batch` run.
public struct BatchSummary: Sendable, Equatable, Encodable {
    /// Files met in the input (images or not).
    public var seen = 0
    /// Scored now.
    public var scored = 0
    /// Given a not-assessable verdict now (outside the model's scope).
    public var notAssessable = 0
    /// Already had a verdict from this model (an earlier run, or the same content twice).
    public var alreadyDone = 0
    /// Not images, or skipped on purpose (links, devices); logged with the reason.
    public var skipped = 0
    /// Belong to another shard.
    public var otherShard = 0
    /// Unreadable, corrupt, over a cap, or not stored; logged with the reason.
    public var failed = 0

    /// Images of this shard with a verdict in the store after the run.
    public var done: Int { scored + notAssessable + alreadyDone }
}

/// What a run saw, for logs and reports; images of other shards are not reported.
public enum BatchEvent: Sendable, Equatable {
    case skipped(name: String, reason: String)
    case failed(name: String, reason: String)
    /// Something the operator should know that failed no file.
    case warning(String)
}
