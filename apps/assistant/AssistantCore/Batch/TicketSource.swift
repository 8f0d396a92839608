import Foundation

/// Rows of a ticket archive, read as a stream: JSONL (one object per line, blank lines
/// skipped) or CSV (`CSVRecordReader`) with a header row naming the text column. Each row
/// carries the file line it starts on; a row that cannot be used (invalid JSON, not UTF-8, a
/// malformed CSV record, no text) is still a row, with the problem, so it becomes an error line
/// of its own and never hides the rows after it.
public final class TicketSource {
    public enum Format: String, Sendable { case jsonl, csv }

    /// One row of the archive.
    public struct Row: Sendable, Equatable {
        /// The 1-based file line the row starts on.
        public let line: Int
        /// The ticket text; nil when the row cannot be used (`problem` says why).
        public let text: String?
        /// The row's own id (`idField`), as text; nil without one.
        public let id: String?
        public let problem: String?
    }

    public let path: String
    private let next: () throws -> Row?

    /// - Parameters:
    ///   - field: the text field (JSONL) or column (CSV).
    ///   - idField: the field or column holding the row's own id, copied to the output.
    ///   - delimiter: the CSV field separator (`,`, `;`, a tab, …).
    /// - Throws: `InputError` naming the file: unreadable, or (CSV) a header without `field` or `idField`.
    public init(path: String, format: Format? = nil, field: String = "text", idField: String? = nil,
                delimiter: Character = ",") throws {
        self.path = path
        let format = format ?? (path.lowercased().hasSuffix(".csv") ? .csv : .jsonl)
        let reader = try LineReader(path: path)
        switch format {
        case .jsonl:
            next = {
                while true {
                    let text: String
                    do {
                        guard let line = try reader.next() else { return nil }
                        text = line
                    } catch InputError.invalidUTF8(_, let line) {
                        return Row(line: line, text: nil, id: nil, problem: "not valid UTF-8")
                    }
                    if text.allSatisfy(\.isWhitespace) { continue }
                    return Self.jsonRow(text, line: reader.lineNumber, field: field, idField: idField)
                }
            }
        case .csv:
            let records = CSVRecordReader(reader: reader, delimiter: delimiter)
            guard case .fields(_, var header)? = try records.next() else {
                throw InputError.invalidJSON(source: path, line: 1, detail: "CSV: no header row")
            }
            if let first = header.first, first.hasPrefix("\u{FEFF}") { header[0] = String(first.dropFirst()) }  // a BOM
            guard let column = header.firstIndex(of: field) else {
                let hint = delimiter == "," && header.count == 1 && header[0].contains(";")
                    ? " (the header looks separated by ';': pass --delimiter ';')" : ""
                throw InputError.missingField(source: path, line: 1, field: field + hint)
            }
            let idColumn = try idField.map { name in
                guard let index = header.firstIndex(of: name) else { throw InputError.missingField(source: path, line: 1, field: name) }
                return index
            }
            records.expectedFields = header.count
            next = {
                switch try records.next() {
                case nil: return nil
                case .malformed(let line, let reason)?: return Row(line: line, text: nil, id: nil, problem: "malformed CSV: \(reason)")
                case .fields(let line, let fields)?:
                    return Row(line: line, text: fields[column], id: idColumn.map { fields[$0] }, problem: nil)
                }
            }
        }
    }

    /// The next row, or nil at the end.
    /// - Throws: `InputError` when the file cannot be read further (an I/O error, a line over the limit).
    public func nextRow() throws -> Row? { try next() }

    /// One JSONL line as a row: its `field` string and `idField` (a string or a number).
    static func jsonRow(_ text: String, line: Int, field: String, idField: String?) -> Row {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            return Row(line: line, text: nil, id: nil, problem: "invalid JSON (one object per line expected)")
        }
        let id = idField.flatMap { name -> String? in
            switch object[name] {
            case let value as String: value
            case let value as Int: String(value)
            case let value as Double: String(value)
            case let value as NSNumber: value.stringValue
            default: nil
            }
        }
        guard let ticket = object[field] as? String else {
            return Row(line: line, text: nil, id: id, problem: "field '\(field)' is missing or not a string")
        }
        return Row(line: line, text: ticket, id: id, problem: nil)
    }
}
