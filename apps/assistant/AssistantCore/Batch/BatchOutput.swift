import Foundation

/// One output line of `assistant batch`.
struct BatchLine: Codable {
    /// The 1-based line of the input file the row starts on.
    let row: Int
    /// The row's own id (`--id-field`).
    var id: String?
    var ticketID: String?
    var decision: String?
    var reason: String?
    var articleID: String?
    var title: String?
    /// The answer sent to the customer (nil when escalated).
    var answer: String?
    var intent: String?
    var confidence: Double?
    /// The articles retrieval found, best first (as `ask --json` shows them).
    var sources: [HybridRetriever.Source]?
    /// What was removed from the ticket before it was read (`TicketReader`).
    var reading: TicketReader.Notes?
    /// The ticket's language (`LanguageDetector`).
    var language: String?
    var error: String?
    /// True on an error line whose failure was transient: `--resume` runs the row again.
    var retry: Bool?

    enum CodingKeys: String, CodingKey {
        case row, id, decision, reason, title, answer, intent, confidence, sources, reading, language, error, retry
        case ticketID = "ticket_id", articleID = "article_id"
    }
}

/// The complete lines an earlier run left in a batch output, in order (output line n is the
/// input's n-th row).
struct PreviousOutput {
    struct Line {
        /// The line as written, with its newline.
        let bytes: Data
        let failed: Bool
        let retry: Bool
    }

    let lines: [Line]
    /// Bytes of the complete lines; anything after them is a line torn by a kill.
    let completeBytes: Int

    var hasRetries: Bool { lines.contains(where: \.retry) }

    /// Reads `url` up to its first line that is not a whole JSON line.
    static func read(_ url: URL) throws -> PreviousOutput {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BatchOutputError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        var lines: [Line] = [], end = 0
        let decoder = JSONDecoder()
        for index in data.indices where data[index] == 0x0A {
            guard let line = try? decoder.decode(BatchLine.self, from: data[end..<index]) else { break }
            lines.append(Line(bytes: Data(data[end...index]), failed: line.error != nil, retry: line.retry == true))
            end = index + 1
        }
        return PreviousOutput(lines: lines, completeBytes: end)
    }
}

/// The batch output file, written a whole line at a time.
final class BatchOutputFile {
    let url: URL
    private let handle: FileHandle

    enum Start {
        /// A new, empty file (mode 0600).
        case empty
        /// After the file's first `bytes` (cutting a line torn by a kill).
        case after(bytes: Int)
        /// After everything in the file.
        case end
    }

    /// Opens `url` for appending at `start`.
    init(_ url: URL, at start: Start) throws {
        self.url = url
        switch start {
        case .empty:
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw BatchOutputError.unwritable(path: url.path, reason: "cannot create the file")
            }
        case .after(let bytes):
            if truncate(url.path, off_t(bytes)) != 0 {
                throw BatchOutputError.unwritable(path: url.path, reason: String(cString: strerror(errno)))
            }
        case .end:
            break
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw BatchOutputError.unwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    deinit { try? handle.close() }

    func write(_ line: Data) throws {
        do { try handle.write(contentsOf: line) } catch {
            throw BatchOutputError.unwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Flushes the file to disk.
    func synchronize() throws {
        do { try handle.synchronize() } catch {
            throw BatchOutputError.unwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The file a resume that re-runs rows writes first, beside `output` (`.<name>.partial`),
    /// renamed over the output when it is whole.
    static func temporary(for output: URL) -> URL {
        output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).partial")
    }

    /// Flushes this (temporary) file and renames it over `target` in one step, so `target` is
    /// the old file or the new one, never a mixture; the folder is flushed too, so the rename
    /// survives a power cut.
    func replace(_ target: URL) throws {
        try synchronize()
        guard rename(url.path, target.path) == 0 else {
            throw BatchOutputError.unwritable(path: target.path, reason: String(cString: strerror(errno)))
        }
        let folder = open(target.deletingLastPathComponent().path, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}

/// Why the batch output cannot be written; names the file.
public enum BatchOutputError: Error, Equatable, CustomStringConvertible {
    /// `resume` was asked for an output that does not exist.
    case nothingToResume(path: String)
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .nothingToResume(let path): return "\(path) does not exist, so there is nothing to resume"
        case .unreadable(let path, let reason): return "\(path): cannot read the output to resume: \(reason)"
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        }
    }
}
