public import Foundation

/// Joins the outputs of the shards of one `assistant batch` (`--shard I/N`) into one output in
/// input order: the lines of every part sorted by `row` (the input file line), one line per row.
public enum BatchOutputMerge {
    public struct Summary: Sendable, Equatable {
        /// Lines written.
        public var lines = 0
        /// Lines dropped because another part already had their row (an answered line wins over
        /// an error line of the same row; otherwise the earlier part's).
        public var duplicates = 0
    }

    /// Writes the merged lines to `output` through a temporary file renamed over it (never half-written).
    /// - Parameter parts: the shards' outputs; each is read up to its first line that is not whole.
    /// - Throws: `BatchOutputError` naming an unreadable part or an unwritable output.
    public static func merge(_ parts: [URL], into output: URL) throws -> Summary {
        var best: [Int: (bytes: Data, failed: Bool)] = [:]
        var summary = Summary()
        let decoder = JSONDecoder()
        for part in parts {
            for line in try PreviousOutput.read(part).lines {
                let row = try decoder.decode(BatchLine.self, from: line.bytes).row
                if let kept = best[row] {
                    summary.duplicates += 1
                    if kept.failed && !line.failed { best[row] = (line.bytes, line.failed) }
                } else {
                    best[row] = (line.bytes, line.failed)
                }
            }
        }
        let file = try BatchOutputFile(BatchOutputFile.temporary(for: output), at: .empty)
        for row in best.keys.sorted() { try file.write(best[row]!.bytes) }
        try file.replace(output)
        summary.lines = best.count
        return summary
    }
}
