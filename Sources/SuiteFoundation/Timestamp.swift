package import Foundation

/// Times as the suite stores and prints them: ISO 8601 in UTC with milliseconds,
/// e.g. `2026-12-07T11:46:02.123Z`. Strings of this form sort in time order.
package enum Timestamp {
    private static func formatter() -> ISO8601DateFormatter {
        // A new formatter per call: ISO8601DateFormatter is not Sendable.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }

    package static func string(_ date: Date) -> String { formatter().string(from: date) }

    package static func now() -> String { string(Date()) }

    /// Parses a stored timestamp (with milliseconds) or a user's one (`2026-12-07T11:46:02Z`).
    package static func date(_ text: String) -> Date? {
        if let date = formatter().date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.timeZone = TimeZone(identifier: "UTC")
        return plain.date(from: text)
    }
}

/// Identifiers of stored records: random UUIDs in lower case (36 characters).
package enum RecordID {
    package static func make() -> String { UUID().uuidString.lowercased() }
}
