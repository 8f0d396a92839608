import Foundation

/// Reads CSV records (RFC 4180: fields separated by `delimiter`, optionally quoted with `"`,
/// `""` for a quote inside a quoted field, line breaks allowed inside quotes) with the line
/// each record starts on, and turns a malformed record into an error instead of swallowing
/// the rows after it.
///
/// Why not the CSV package the triage labels use: it gives no line numbers, and an
/// unterminated quote silently joins every following row into one field. Here a record that
/// spans lines must still close its quotes within `maximumRecordLines` lines and have exactly
/// `expectedFields` fields; otherwise it is reported as malformed at its first line and reading
/// resumes at the line after that one, so each later row is read on its own.
final class CSVRecordReader {
    /// One record, or why the text starting at `line` is not one.
    enum Record: Equatable {
        case fields(line: Int, [String])
        case malformed(line: Int, reason: String)
    }

    let delimiter: Character
    /// Fields every record must have (the header's count), once known.
    var expectedFields: Int?
    /// Lines one record may span (quoted line breaks).
    let maximumRecordLines: Int
    private let reader: LineReader
    /// Lines read ahead and given back after a malformed multi-line record, in order.
    private var pending: [(line: Int, text: String?)] = []

    init(reader: LineReader, delimiter: Character, maximumRecordLines: Int = 100) {
        self.reader = reader
        self.delimiter = delimiter
        self.maximumRecordLines = maximumRecordLines
    }

    /// The next record, or nil at the end of input. Blank lines between records are skipped.
    /// - Throws: `InputError` when the file cannot be read or a line exceeds the reader's limit.
    func next() throws -> Record? {
        var first: (line: Int, text: String?)
        repeat {
            guard let line = try nextLine() else { return nil }
            first = line
        } while first.text?.allSatisfy(\.isWhitespace) == true
        guard var text = first.text else { return .malformed(line: first.line, reason: "not valid UTF-8 (convert the file to UTF-8)") }
        var continuation: [(line: Int, text: String?)] = []
        while true {
            switch Self.parse(text, delimiter: delimiter) {
            case .fields(let fields):
                if let expected = expectedFields, fields.count != expected {
                    pending.insert(contentsOf: continuation, at: 0)
                    let reason = continuation.isEmpty
                        ? "\(fields.count) fields, the header has \(expected)"
                        : "a quoted field runs over \(continuation.count + 1) lines into \(fields.count) fields, the header has \(expected) (an unterminated quote?)"
                    return .malformed(line: first.line, reason: reason)
                }
                return .fields(line: first.line, fields)
            case .malformed(let reason):
                pending.insert(contentsOf: continuation, at: 0)
                return .malformed(line: first.line, reason: reason)
            case .openQuote:
                guard continuation.count + 1 < maximumRecordLines, let line = try nextLine(), let more = line.text else {
                    pending.insert(contentsOf: continuation, at: 0)
                    return .malformed(line: first.line, reason: "unterminated quote")
                }
                continuation.append(line)
                text += "\n" + more
            }
        }
    }

    /// The next line with its number (`text` nil: not UTF-8), pending lines first.
    private func nextLine() throws -> (line: Int, text: String?)? {
        if !pending.isEmpty { return pending.removeFirst() }
        do {
            guard let text = try reader.next() else { return nil }
            return (reader.lineNumber, text)
        } catch InputError.invalidUTF8(_, let line) {
            return (line, nil)
        }
    }

    enum Parse: Equatable {
        case fields([String])
        case openQuote
        case malformed(String)
    }

    /// Splits one record's text into fields. A quote inside an unquoted field is kept as a
    /// character (`5" screen`); after a closing quote only the delimiter or the end may follow.
    static func parse(_ text: String, delimiter: Character) -> Parse {
        var fields: [String] = [], field = "", quoted = false, afterQuote = false, atStart = true
        var characters = text.makeIterator()
        while let c = characters.next() {
            if quoted {
                if c == "\"" {
                    quoted = false
                    afterQuote = true
                } else {
                    field.append(c)
                }
                continue
            }
            if afterQuote {
                afterQuote = false
                if c == "\"" {  // "" inside quotes: a quote, and still inside
                    field.append("\"")
                    quoted = true
                    continue
                }
                guard c == delimiter else { return .malformed("text after a closing quote in field \(fields.count + 1)") }
            }
            if c == delimiter {
                fields.append(field)
                field = ""
                atStart = true
            } else if c == "\"" && atStart && field.isEmpty {
                quoted = true
                atStart = false
            } else {
                field.append(c)
                atStart = false
            }
        }
        if quoted { return .openQuote }
        fields.append(field)
        return .fields(fields)
    }
}
