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
        /// Checkpoint lines whose MAC fails or that do not follow the line before (1-based line
        /// numbers; empty when the check at open found the last line so).
        case checkpointLinesInvalid(lines: [Int])
        /// The witness records a later entry than the log holds: entries were cut off the end.
        case witnessAhead(witness: String, lastSeq: Int64, witnessSeq: Int64)
        /// The witness records a later checkpoint than the checkpoint file: lines were cut off.
        case checkpointBehindWitness(witness: String, checkpointSeq: Int64, witnessSeq: Int64)
        /// The witnessed head hash differs from the entry's (rewritten history).
        case witnessMismatch(witness: String, seq: Int64)
        /// The store has written chained checkpoints, so its default witness file must exist.
        case witnessMissing(witness: String)
        /// Witness lines of this store whose MAC fails.
        case witnessLinesInvalid(witness: String, count: Int)

        public var description: String {
            switch self {
            case .edited(let seq): return "entry \(seq) was altered (its MAC does not match)"
            case .missing(let after, let next): return "entries \(after + 1)...\(next - 1) are missing (deleted)"
            case .brokenLink(let seq): return "entry \(seq) does not follow entry \(seq - 1) (reordered or inserted)"
            case .truncated(let last, let checkpoint):
                return "the log ends at entry \(last) but a checkpoint records entry \(checkpoint) (truncated)"
            case .checkpointMismatch(let seq): return "entry \(seq) differs from its checkpoint (history rewritten)"
            case .checkpointMissing: return "the checkpoint file is missing"
            case .checkpointLinesInvalid(let lines) where lines.isEmpty:
                return "the last checkpoint line fails its MAC or does not follow the line before (checkpoint file edited)"
            case .checkpointLinesInvalid(let lines):
                return "checkpoint lines \(lines) fail their MAC or do not follow the line before (checkpoint file edited, lines removed or reordered)"
            case .witnessAhead(let witness, let last, let witnessSeq):
                return "the log ends at entry \(last) but the witness \(witness) records entry \(witnessSeq): entries \(last + 1)...\(witnessSeq) are missing (cut off the end)"
            case .checkpointBehindWitness(let witness, let checkpoint, let witnessSeq):
                return "the checkpoint file ends at entry \(checkpoint) but the witness \(witness) records entry \(witnessSeq): checkpoint lines were cut off"
            case .witnessMismatch(let witness, let seq): return "entry \(seq) differs from the witness \(witness) (history rewritten)"
            case .witnessMissing(let witness): return "the witness file \(witness) is missing"
            case .witnessLinesInvalid(let witness, let count): return "\(count) lines of the witness \(witness) fail their MAC"
            }
        }
    }

    public var entries: Int
    package var headSeq: Int64
    package var checkpointSeq: Int64?
    /// The highest entry any witness records.
    package var witnessSeq: Int64?
    /// The first problem found, nil when the chain is intact.
    package var firstProblem: Problem?

    package var isIntact: Bool { firstProblem == nil }
}

extension AuditLog {
    /// The default witness file (the first target), when there is one.
    var defaultWitnessFile: URL? {
        if case .file(let url) = witness.targets.first { return url }
        return nil
    }

    /// Walks the whole chain, the checkpoint file and the witnesses; reports the first problem.
    /// - Parameter witnessFiles: more files holding witness lines (another volume, the file a
    ///   syslog daemon writes, an HTTP collector's store) besides the default witness file.
    public func verify(witnessFiles: [URL] = []) throws -> AuditVerification {
        let checkpoint = try checkpoints.contents()
        var witnessed: [(name: String, checkpoint: AuditCheckpoints.Checkpoint?, invalid: Int)] = []
        var defaultMissing: String?
        for (index, url) in ([defaultWitnessFile].compactMap { $0 } + witnessFiles).enumerated() {
            guard let data = FileManager.default.contents(atPath: url.path) else {
                if index == 0 && defaultWitnessFile != nil { defaultMissing = url.path; continue }
                throw AuditError.checkpointIO(path: url.path, reason: "cannot read the witness file")
            }
            let found = witness.latest(in: String(decoding: data, as: UTF8.self))
            witnessed.append((url.path, found.checkpoint, found.invalid))
        }
        let wanted = Set([checkpoint.latest?.seq].compactMap { $0} + witnessed.compactMap { $0.checkpoint?.seq })
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
                if wanted.contains(entry.seq) { hashes[entry.seq] = entry.hash }
            }
            let head = expectedSeq - 1
            if problem == nil {
                problem = Self.checkpointProblem(checkpoint, head: head, entries: count, hashes: hashes)
            }
            if problem == nil {
                problem = Self.witnessProblem(witnessed, missing: defaultMissing, chained: checkpoint.chained,
                                              checkpointSeq: checkpoint.latest?.seq, head: head, entries: count, hashes: hashes)
            }
            return AuditVerification(entries: count, headSeq: head, checkpointSeq: checkpoint.latest?.seq,
                                     witnessSeq: witnessed.compactMap { $0.checkpoint?.seq }.max(), firstProblem: problem)
        }
    }

    private static func checkpointProblem(_ checkpoint: AuditCheckpoints.Contents, head: Int64, entries: Int,
                                          hashes: [Int64: Data]) -> AuditVerification.Problem? {
        if !checkpoint.invalidLines.isEmpty { return .checkpointLinesInvalid(lines: checkpoint.invalidLines) }
        guard let latest = checkpoint.latest else { return entries > 0 ? .checkpointMissing : nil }
        if head < latest.seq { return .truncated(lastSeq: head, checkpointSeq: latest.seq) }
        if hashes[latest.seq] != latest.hash { return .checkpointMismatch(seq: latest.seq) }
        return nil
    }

    private static func witnessProblem(_ witnessed: [(name: String, checkpoint: AuditCheckpoints.Checkpoint?, invalid: Int)],
                                       missing: String?, chained: Bool, checkpointSeq: Int64?, head: Int64, entries: Int,
                                       hashes: [Int64: Data]) -> AuditVerification.Problem? {
        if let missing, chained, entries > 0 { return .witnessMissing(witness: missing) }
        for w in witnessed {
            if w.invalid > 0 { return .witnessLinesInvalid(witness: w.name, count: w.invalid) }
            guard let c = w.checkpoint else { continue }
            if head < c.seq { return .witnessAhead(witness: w.name, lastSeq: head, witnessSeq: c.seq) }
            if hashes[c.seq] != c.hash { return .witnessMismatch(witness: w.name, seq: c.seq) }
            if (checkpointSeq ?? 0) < c.seq {
                return .checkpointBehindWitness(witness: w.name, checkpointSeq: checkpointSeq ?? 0, witnessSeq: c.seq)
            }
        }
        return nil
    }

    /// The cheap check at open, before a command writes anything: the last entry's MAC, the
    /// checkpoint file's last line and the tail of the default witness file against the head.
    ///
    /// A store's first checkpoint is written to the checkpoint file and then to the witness file,
    /// which that first write creates; another process opening the store in between sees a
    /// checkpoint without its witness. A missing witness is therefore looked at again for up to a
    /// second before it counts as a problem (a deleted witness file stays missing).
    /// - Throws: `AuditError.chainBroken` with the first problem found.
    public func checkHead() throws {
        var problem = try headProblem()
        let deadline = Date().addingTimeInterval(1)
        while case .witnessMissing? = problem, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            problem = try headProblem()
        }
        if let problem { throw AuditError.chainBroken(problem) }
    }

    private func headProblem() throws -> AuditVerification.Problem? {
        let last = try checkpoints.lastLine()
        let witnessed = try defaultWitnessFile.map { try tailOfWitness($0) } ?? nil
        let problem: AuditVerification.Problem? = try writer.read { db in
            let head = try AuditEntry.fetchOne(db, sql: "SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
            let headSeq = head?.seq ?? 0
            if let head, chainHash(previous: head.prevHash, entry: head) != head.hash { return .edited(seq: head.seq) }
            if !last.valid { return .checkpointLinesInvalid(lines: []) }
            if !last.fileExists && headSeq > 0 { return .checkpointMissing }
            func hash(_ seq: Int64) throws -> Data? {
                try Data.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE seq = ?", arguments: [seq])
            }
            if let c = last.checkpoint {
                if headSeq < c.seq { return .truncated(lastSeq: headSeq, checkpointSeq: c.seq) }
                if try hash(c.seq) != c.hash { return .checkpointMismatch(seq: c.seq) }
            }
            if let file = defaultWitnessFile {
                guard let witnessed else { return last.chained && headSeq > 0 ? .witnessMissing(witness: file.path) : nil }
                if let c = witnessed.checkpoint {
                    if headSeq < c.seq { return .witnessAhead(witness: file.path, lastSeq: headSeq, witnessSeq: c.seq) }
                    if try hash(c.seq) != c.hash { return .witnessMismatch(witness: file.path, seq: c.seq) }
                }
            }
            return nil
        }
        return problem
    }

    /// The highest checkpoint in the last 64 KiB of a witness file, nil when the file is missing.
    private func tailOfWitness(_ url: URL) throws -> (checkpoint: AuditCheckpoints.Checkpoint?, invalid: Int)? {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size > 65_536 ? size - 65_536 : 0)
        return witness.latest(in: String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self))
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
