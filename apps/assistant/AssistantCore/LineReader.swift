public import Foundation

/// Errors reading line-oriented input; each names the source and the 1-based line.
public enum InputError: Error, Equatable, CustomStringConvertible {
    case unreadable(source: String, reason: String)
    case invalidUTF8(source: String, line: Int)
    case lineTooLong(source: String, line: Int, limit: Int)
    case invalidJSON(source: String, line: Int, detail: String)
    case missingField(source: String, line: Int, field: String)

    public var description: String {
        switch self {
        case .unreadable(let source, let reason): return "\(source): cannot read: \(reason)"
        case .invalidUTF8(let source, let line): return "\(source):\(line): not valid UTF-8"
        case .lineTooLong(let source, let line, let limit): return "\(source):\(line): line longer than \(limit) bytes"
        case .invalidJSON(let source, let line, let detail): return "\(source):\(line): invalid JSON: \(detail)"
        case .missingField(let source, let line, let field):
            return "\(source):\(line): field '\(field)' is missing or not a string"
        }
    }
}

/// Reads a byte stream line by line (`\n`, with a trailing `\r` dropped), validating UTF-8.
///
/// Lines are returned whole or not at all; a line over `maxLineBytes` is an error rather
/// than a runaway allocation. A line that is not UTF-8 throws `invalidUTF8` and is consumed,
/// so reading can go on with the next line.
public final class LineReader {
    public let source: String
    package let maxLineBytes: Int
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    /// Number of the last line returned (1-based).
    private(set) var lineNumber = 0

    public init(handle: FileHandle, source: String, maxLineBytes: Int = 16 << 20) {
        self.handle = handle
        self.source = source
        self.maxLineBytes = maxLineBytes
    }

    public convenience init(path: String, maxLineBytes: Int = 16 << 20) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError.unreadable(source: path, reason: "no such file or not readable")
        }
        self.init(handle: handle, source: path, maxLineBytes: maxLineBytes)
    }

    /// The next line, or nil at the end of input.
    public func next() throws -> String? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                let bytes = buffer[position..<newline]
                position = newline + 1  // past the line even when it is not UTF-8: the caller may go on
                return try decode(bytes)
            }
            if buffer.count - position > maxLineBytes {
                throw InputError.lineTooLong(source: source, line: lineNumber + 1, limit: maxLineBytes)
            }
            if finished {
                guard position < buffer.count else { return nil }
                let bytes = buffer[position...]
                position = buffer.count
                return try decode(bytes)
            }
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 16) ?? Data()
            } catch {
                throw InputError.unreadable(source: source, reason: error.localizedDescription)
            }
            if chunk.isEmpty { finished = true }
            buffer.removeSubrange(0..<position)
            position = 0
            buffer.append(contentsOf: chunk)
        }
    }

    /// Up to `count` lines (fewer only at the end of input).
    public func next(_ count: Int) throws -> [String] {
        var lines: [String] = []
        while lines.count < count, let line = try next() { lines.append(line) }
        return lines
    }

    private func decode(_ bytes: ArraySlice<UInt8>) throws -> String {
        lineNumber += 1
        let trimmed = bytes.last == 0x0D ? bytes.dropLast() : bytes
        guard let line = String(validating: trimmed, as: UTF8.self) else {
            throw InputError.invalidUTF8(source: source, line: lineNumber)
        }
        return line
    }
}
