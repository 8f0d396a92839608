import Foundation

/// The suite's one strict decoding style for configuration and stored JSON: unknown object
/// keys are errors, and enum-like fields name the value they got and the values they accept.
package enum StrictKeys {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws `DecodingError.dataCorrupted` at the first key of the decoder's object that is not
    /// in `known`, listing the known ones.
    package static func check(_ decoder: any Decoder, known: [String]) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        let knownSet = Set(known)
        if let unknown = all.allKeys.first(where: { !knownSet.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [unknown],
                debugDescription: "unknown field (expected one of \(known.joined(separator: ", ")))"))
        }
    }

    /// `check` with the keys of a `CaseIterable` coding-key enum.
    package static func check<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, keys: Keys.Type) throws {
        try check(decoder, known: Keys.allCases.map(\.stringValue))
    }
}

/// A closed set of string values read from JSON or a store. Decoding an unknown value throws
/// with the value and the accepted ones, never falls back to a default.
public protocol StrictStringEnum: RawRepresentable, CaseIterable, Codable where RawValue == String {}

extension StrictStringEnum {
    /// The accepted values, for error messages: `a, b or c`.
    static var expectedValues: String {
        let all = allCases.map { "'\($0.rawValue)'" }
        return all.count < 2 ? all.joined() : all.dropLast().joined(separator: ", ") + " or " + all.last!
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "unknown value '\(raw)' (expected \(Self.expectedValues))")
        }
        self = value
    }
}
