import Crypto
public import Foundation
public import SuiteFoundation

/// Answers a ticket archive row by row into a JSONL file with exactly one line per input row,
/// in order; a row that fails becomes an error line, never an abort.
///
/// Resumable: each output line is written whole, after its ticket, answer and audit entries
/// are committed together. `resume` keeps the complete lines already written (dropping a torn
/// last line) and continues from the next row. Error lines of transient failures (a full
/// disk, an I/O error, a busy or read-only store: `RowFailure`) carry `"retry": true`; when
/// there are any, `resume` first rewrites the lines written so far into `.<output>.partial` —
/// copying every other line as it was and running those rows again — and renames that over
/// the output, so a kill meanwhile leaves the old output whole. Ticket ids are derived from the
/// archive and the row's ordinal, so a row processed twice maps to the same stored ticket and
/// answer. With a `shard`, only the rows of that shard are answered (`Shard.contains(ordinal:)`)
/// and the output holds their lines only; `assistant merge` joins the shards.
public struct BatchRunner {
    public struct Summary: Sendable, Equatable {
        /// Rows of this run's shard read so far (all rows without a shard).
        public var rows = 0
        /// Rows left to the other shards.
        public var otherShard = 0
        /// Rows whose line an earlier run wrote, kept as it was.
        public var skipped = 0
        /// Rows of transient error lines run again by this resume.
        public var retried = 0
        public var answered = 0, escalated = 0
        /// Rows that failed in this run, and those of them whose failure was transient.
        public var failed = 0, retryable = 0
        /// Kept error lines of earlier runs (permanent failures).
        public var failedEarlier = 0
    }

    /// A row that failed: the file line it starts on, why, and whether `--resume` retries it.
    public struct Failure: Sendable, Equatable {
        public let row: Int
        public let reason: String
        public let retryable: Bool
    }

    let answerer: Answerer
    let actor: String

    public init(answerer: Answerer, actor: String) {
        self.answerer = answerer
        self.actor = actor
    }

    /// - Parameters:
    ///   - progress: called after each row answered (or failed) in this run.
    ///   - failure: called for each row that fails, before its error line is written.
    public func run(source: TicketSource, output: URL, resume: Bool, shard: Shard? = nil,
                    progress: (Summary) -> Void = { _ in }, failure: (Failure) -> Void = { _ in }) throws -> Summary {
        var summary = Summary()
        /// Rows read, of every shard: the 1-based ordinal of the last one.
        var ordinal = 0
        /// The next row of this run's shard.
        func nextRow() throws -> TicketSource.Row? {
            while let row = try source.nextRow() {
                ordinal += 1
                if shard?.contains(ordinal: ordinal) ?? true { return row }
                summary.otherShard += 1
            }
            return nil
        }
        if resume && !FileManager.default.fileExists(atPath: output.path) { throw BatchOutputError.nothingToResume(path: output.path) }
        let previous = resume ? try PreviousOutput.read(output) : nil
        let archive = SHA256.hash(data: Data(URL(fileURLWithPath: source.path).standardizedFileURL.path.utf8))
            .prefix(8).map { String(format: "%02x", $0) }.joined()
        let encoder = JSONOutput.encoder()
        /// The row's output line; its ticket id comes from its ordinal, stable across runs and shards.
        func process(_ row: TicketSource.Row) throws -> Data {
            let line = answer(row, ticketID: "batch-\(archive)-\(ordinal)", into: &summary, failure: failure)
            return try encoder.encode(line) + Data("\n".utf8)
        }

        if let previous, previous.hasRetries {
            let rewrite = try BatchOutputFile(BatchOutputFile.temporary(for: output), at: .empty)
            for kept in previous.lines {
                guard let row = try nextRow() else { break }
                summary.rows += 1
                if kept.retry {
                    summary.retried += 1
                    try rewrite.write(try process(row))
                    progress(summary)
                } else {
                    try rewrite.write(kept.bytes)
                    summary.skipped += 1
                    if kept.failed { summary.failedEarlier += 1 }
                }
            }
            try rewrite.replace(output)
        } else if let previous {
            unlink(BatchOutputFile.temporary(for: output).path)  // left by a resume killed during its rewrite
            for kept in previous.lines {
                guard try nextRow() != nil else { break }
                summary.rows += 1
                summary.skipped += 1
                if kept.failed { summary.failedEarlier += 1 }
            }
        }
        let start: BatchOutputFile.Start = switch previous {
        case nil: .empty
        case let previous? where previous.hasRetries: .end  // the rewrite holds exactly the kept and re-run lines
        case let previous?: .after(bytes: previous.completeBytes)
        }
        let file = try BatchOutputFile(output, at: start)
        while let row = try nextRow() {
            summary.rows += 1
            try file.write(try process(row))
            progress(summary)
        }
        try file.synchronize()
        return summary
    }

    /// Answers one row into its output line, counting the outcome.
    private func answer(_ row: TicketSource.Row, ticketID: String, into summary: inout Summary,
                        failure: (Failure) -> Void) -> BatchLine {
        var line = BatchLine(row: row.line, id: row.id)
        do {
            guard let text = row.text else { throw BatchRowError.unusable(row.problem ?? "no text") }
            let result = try answerer.answer(text, actor: actor, source: .batch, ticketID: ticketID)
            line.ticketID = result.ticketID
            line.decision = result.decision.rawValue
            line.reason = result.reason?.rawValue
            line.articleID = result.articleID
            line.title = result.title
            line.answer = result.answer
            line.intent = result.intents.first?.intent
            line.confidence = result.intents.first?.score
            line.sources = result.sources
            line.reading = result.reading
            line.language = result.language
            if result.decision == .answer { summary.answered += 1 } else { summary.escalated += 1 }
        } catch {
            let retryable = RowFailure.isTransient(error)
            line.error = "\(error)"
            line.retry = retryable ? true : nil
            summary.failed += 1
            if retryable { summary.retryable += 1 }
            failure(Failure(row: row.line, reason: "\(error)", retryable: retryable))
        }
        return line
    }
}

/// Why a row has no ticket to answer: the problem `TicketSource` found in it.
enum BatchRowError: Error, CustomStringConvertible {
    case unusable(String)
    var description: String {
        switch self {
        case .unusable(let problem): "row has no usable text: \(problem)"
        }
    }
}
