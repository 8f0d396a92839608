import CSV
import Foundation

/// Rows of a ticket archive, read as a stream: JSONL (a string field per line) or CSV with a
/// header row naming the text column. Row numbers are 1-based data rows.
public final class TicketSource {
    public enum Format: String, Sendable { case jsonl, csv }

    public let path: String
    private let next: () throws -> String??

    /// - Returns: for each row, its text, or nil when the row itself is unusable (it becomes an error row).
    public init(path: String, format: Format? = nil, field: String = "text") throws {
        self.path = path
        let format = format ?? (path.lowercased().hasSuffix(".csv") ? .csv : .jsonl)
        switch format {
        case .jsonl:
            let reader = try LineReader(path: path)
            next = {
                while let line = try reader.next() {
                    if line.allSatisfy(\.isWhitespace) { continue }
                    let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                    return .some((object?[field] as? String))
                }
                return .none
            }
        case .csv:
            guard let stream = InputStream(fileAtPath: path) else {
                throw InputError.unreadable(source: path, reason: "no such file or not readable")
            }
            let reader: CSVReader
            do {
                reader = try CSVReader(stream: stream, hasHeaderRow: true)
            } catch {
                throw InputError.invalidJSON(source: path, line: 1, detail: "not CSV: \(error)")
            }
            guard let column = reader.headerRow?.firstIndex(of: field) else {
                throw InputError.missingField(source: path, line: 1, field: field)
            }
            var rows = 0
            next = {
                guard let row = reader.next() else {
                    // CSV.swift reports the end of the stream as `cannotReadFile`; anything else is a real error.
                    if let error = reader.error, !(error is CSVError && "\(error)" == "cannotReadFile") {
                        throw InputError.invalidJSON(source: path, line: rows + 2, detail: "CSV: \(error)")
                    }
                    return .none
                }
                rows += 1
                return .some(column < row.count ? row[column] : nil)
            }
        }
    }

    /// The next row: `.some(text)`, `.some(nil)` for an unusable row, nil at the end.
    public func nextRow() throws -> String?? { try next() }
}
