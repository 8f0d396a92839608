/// Builds one line of JSON output by hand, keeping keys in the order written.
///
/// Faster than `JSONEncoder` for the large float arrays of `embed`, and it keeps the
/// documented key order (`text` before `embedding`).
public struct JSONLine {
    public private(set) var text = "{"
    private var first = true

    public init() {}

    public mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        JSONLine.appendString(name, to: &text)
        text += ":"
    }

    public mutating func string(_ name: String, _ value: String) {
        key(name)
        JSONLine.appendString(value, to: &text)
    }

    public mutating func strings(_ name: String, _ values: [String]) {
        key(name)
        text += "["
        for (i, v) in values.enumerated() {
            if i > 0 { text += "," }
            JSONLine.appendString(v, to: &text)
        }
        text += "]"
    }

    public mutating func integers<T: BinaryInteger>(_ name: String, _ values: [T]) {
        key(name)
        text += "[" + values.map { String($0) }.joined(separator: ",") + "]"
    }

    public mutating func pairs(_ name: String, _ values: [(Int, Int)]) {
        key(name)
        text += "[" + values.map { "[\($0.0),\($0.1)]" }.joined(separator: ",") + "]"
    }

    /// Floats in their shortest round-tripping decimal form.
    public mutating func floats(_ name: String, _ values: [Float]) {
        key(name)
        text += "[" + values.map { $0.description }.joined(separator: ",") + "]"
    }

    /// The finished line, without a newline.
    public func finished() -> String { text + "}" }

    /// Appends `value` as a JSON string literal (RFC 8259 escapes; non-ASCII kept as UTF-8).
    static func appendString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
