package import Foundation

/// The suite's one JSON writer for machine output, stored JSON and checkpoint metadata:
/// sorted keys and unescaped slashes, so equal values give equal bytes.
package enum JSONOutput {
    /// A new encoder with the suite's settings (`pretty` adds indentation for people).
    package static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` as JSON bytes.
    package static func data(_ value: some Encodable, pretty: Bool = false) throws -> Data {
        try encoder(pretty: pretty).encode(value)
    }

    /// `value` as one JSON text (a line when not pretty).
    package static func string(_ value: some Encodable, pretty: Bool = false) throws -> String {
        String(decoding: try data(value, pretty: pretty), as: UTF8.self)
    }
}
