public import Foundation
import GRDB
import SuiteFoundation

/// The result of `AuditLog.verify()`.
public struct AuditVerification: Sendable, Equatable, Codable {
    public enum Problem: Sendable, Equatable, Codable, CustomStringConvertible {
        /// The entry's content does not match its MAC (edited, or inserted without the key).
        case edited(seq: Int64)
        /// Sequence numbers jump: entries between were deleted.
        case missing(after: Int64, next: Int64)
        /// The entry does not link to the one before it (reordered or spliced).
        case brokenLink(seq: Int64)
        /// The log ends before the last checkpoint: entries were cut off the end.
        case truncated(lastSeq: Int64, checkpointSeq: Int64)
        /// The checkpointed head hash differs from the entry's (rewritten history).
        case checkpointMismatch(seq: Int64)
        /// There are entries but no checkpoint file.
        case checkpointMissing
        /// Checkpoint lines whose MAC fails.
        case checkpointLinesInvalid(lines: [Int])

        public var description: String {
            switch self {
            case .edited(let seq): return "entry \(seq) was altered (its MAC does not match)"
            case .missing(let after, let next): return "entries \(after + 1)...\(next - 1) are missing (deleted)"
            case .brokenLink(let seq): return "entry \(seq) does not follow entry \(seq - 1) (reordered or inserted)"
            case .truncated(let last, let checkpoint):
                return "the log ends at entry \(last) but a checkpoint records entry \(checkpoint) (truncated)"
            case .checkpointMismatch(let seq): return "entry \(seq) differs from its checkpoint (history rewritten)"
            case .checkpointMissing: return "the checkpoint file is missing"
            case .checkpointLinesInvalid(let lines): return "checkpoint lines \(lines) fail their MAC (checkpoint file edited)"
            }
        }
    }

    public var entries: Int
    package var headSeq: Int64
    package var checkpointSeq: Int64?
    /// The first problem found, nil when the chain is intact.
    package var firstProblem: Problem?

    package var isIntact: Bool { firstProblem == nil }
}

extension AuditLog {
    /// Walks the whole chain and the checkpoints; reports the first broken link.
    public func verify() throws -> AuditVerification {
        let checkpoint = try checkpoints.latest()
        return try writer.read { db in
            var count = 0
            var expectedSeq: Int64 = 1
            var previous = Self.zeroHash
            var problem: AuditVerification.Problem?
            var hashes: [Int64: Data] = [:]
            let cursor = try AuditEntry.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
            while let entry = try cursor.next() {
                count += 1
                if problem == nil {
                    if entry.seq != expectedSeq {
                        problem = .missing(after: expectedSeq - 1, next: entry.seq)
                    } else if chainHash(previous: entry.prevHash, entry: entry) != entry.hash {
                        problem = .edited(seq: entry.seq)
                    } else if entry.prevHash != previous {
                        problem = .brokenLink(seq: entry.seq)
                    }
                }
                expectedSeq = entry.seq + 1
                previous = entry.hash
                if let c = checkpoint.checkpoint, entry.seq == c.seq { hashes[entry.seq] = entry.hash }
            }
            let head = expectedSeq - 1
            if problem == nil {
                if !checkpoint.invalidLines.isEmpty {
                    problem = .checkpointLinesInvalid(lines: checkpoint.invalidLines)
                } else if let c = checkpoint.checkpoint {
                    if head < c.seq {
                        problem = .truncated(lastSeq: head, checkpointSeq: c.seq)
                    } else if hashes[c.seq] != c.hash {
                        problem = .checkpointMismatch(seq: c.seq)
                    }
                } else if count > 0 {
                    problem = .checkpointMissing
                }
            }
            return AuditVerification(entries: count, headSeq: head, checkpointSeq: checkpoint.checkpoint?.seq,
                                     firstProblem: problem)
        }
    }

    /// Filters for `entries(matching:)`.
    public struct Query: Sendable {
        var since: Date?
        public var actor: String?
        public var action: AuditAction?
        public var limit: Int?

        public init(since: Date? = nil, actor: String? = nil, action: AuditAction? = nil, limit: Int? = nil) {
            self.since = since
            self.actor = actor
            self.action = action
            self.limit = limit
        }
    }

    /// Entries in sequence order matching the query.
    public func entries(matching query: Query = Query()) throws -> [AuditEntry] {
        try writer.read { db in
            var request = AuditEntry.order(Column("seq"))
            if let since = query.since { request = request.filter(Column("time") >= Timestamp.string(since)) }
            if let actor = query.actor { request = request.filter(Column("actor") == actor) }
            if let action = query.action { request = request.filter(Column("action") == action.rawValue) }
            if let limit = query.limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }
}
