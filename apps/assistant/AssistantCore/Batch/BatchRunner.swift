import Crypto
public import Foundation
import SuiteFoundation

/// Answers a ticket archive row by row into a JSONL file with exactly one line per input row,
/// in order; a row that fails becomes an error line, never an abort.
///
/// Resumable: each output line is written whole and flushed; `resume` keeps the complete lines
/// already written (dropping a torn last line) and continues from the next row. Ticket ids are
/// derived from the archive and row number, so a row processed twice maps to the same stored
/// ticket and answer.
public struct BatchRunner {
    public struct Summary: Sendable, Equatable {
        public var rows = 0, skipped = 0, answered = 0, escalated = 0, failed = 0
    }

    let answerer: Answerer
    let actor: String

    public init(answerer: Answerer, actor: String) {
        self.answerer = answerer
        self.actor = actor
    }

    public func run(source: TicketSource, output: URL, resume: Bool,
                    progress: (Summary) -> Void = { _ in }) throws -> Summary {
        var summary = Summary()
        if resume && !FileManager.default.fileExists(atPath: output.path) { throw BatchOutputError.nothingToResume(path: output.path) }
        let done = resume ? try Self.completeLines(in: output) : 0
        if !resume { FileManager.default.createFile(atPath: output.path, contents: nil, attributes: [.posixPermissions: 0o600]) }
        let handle: FileHandle
        do { handle = try FileHandle(forWritingTo: output) } catch {
            throw BatchOutputError.unwritable(path: output.path, reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        let archive = SHA256.hash(data: Data(URL(fileURLWithPath: source.path).standardizedFileURL.path.utf8))
            .prefix(8).map { String(format: "%02x", $0) }.joined()
        let encoder = JSONOutput.encoder()
        while let row = try source.nextRow() {
            summary.rows += 1
            if summary.rows <= done {
                summary.skipped += 1
                continue
            }
            var line = BatchLine(row: summary.rows)
            do {
                guard let text = row else { throw BatchRowError.unusable }
                let result = try answerer.answer(text, actor: actor, source: .batch, ticketID: "batch-\(archive)-\(summary.rows)")
                line.ticketID = result.ticketID
                line.decision = result.decision.rawValue
                line.reason = result.reason?.rawValue
                line.articleID = result.articleID
                line.intent = result.intents.first?.intent
                line.confidence = result.intents.first?.score
                if result.decision == .answer { summary.answered += 1 } else { summary.escalated += 1 }
            } catch {
                line.error = "\(error)"
                summary.failed += 1
            }
            try handle.write(contentsOf: try encoder.encode(line) + Data("\n".utf8))
            progress(summary)
        }
        try handle.synchronize()
        return summary
    }

    /// Number of complete JSON lines at the start of `url`; a torn last line is cut off.
    static func completeLines(in url: URL) throws -> Int {
        guard let data = FileManager.default.contents(atPath: url.path) else { return 0 }
        var count = 0, end = 0
        for (index, byte) in data.enumerated() where byte == 0x0A {
            guard (try? JSONSerialization.jsonObject(with: data[end..<index])) != nil else { break }
            count += 1
            end = index + 1
        }
        if end < data.count { truncate(url.path, off_t(end)) }
        return count
    }
}

/// Why the batch output cannot be written; names the file.
public enum BatchOutputError: Error, Equatable, CustomStringConvertible {
    /// `resume` was asked for an output that does not exist.
    case nothingToResume(path: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .nothingToResume(let path): return "\(path) does not exist, so there is nothing to resume"
        case .unwritable(let path, let reason): return "\(path): cannot open for writing: \(reason)"
        }
    }
}

enum BatchRowError: Error, CustomStringConvertible {
    case unusable
    var description: String { "row has no usable text (malformed or missing text field)" }
}

/// One output line of `assistant batch`.
struct BatchLine: Encodable {
    let row: Int
    var ticketID: String?
    var decision: String?
    var reason: String?
    var articleID: String?
    var intent: String?
    var confidence: Double?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case row, decision, reason, intent, confidence, error
        case ticketID = "ticket_id", articleID = "article_id"
    }
}
