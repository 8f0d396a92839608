import Foundation

extension DecodingError {
    /// Where in the decoded value the error is (empty at the top level).
    package var codingKeys: [any CodingKey] {
        switch self {
        case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
             .dataCorrupted(let context):
            return context.codingPath
        @unknown default:
            return []
        }
    }

    /// Where the error is and what kind it is, without any decoded text: for answers to network
    /// clients, whose requests may hold personal data.
    package var summaryWithoutValues: String {
        let path = codingKeys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        switch self {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch, .valueNotFound: return "wrong type at '\(path)'"
        case .dataCorrupted: return path.isEmpty ? "not valid JSON" : "invalid value at '\(path)'"
        @unknown default: return "not valid JSON"
        }
    }

    /// A one-line account for users: the key path and what was wrong there.
    package var summary: String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, let context):
            let at = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "missing field '\(key.stringValue)'\(at)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(path(context.codingPath))': \(context.debugDescription)"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return context.codingPath.isEmpty
                ? "not valid JSON (\(underlying ?? context.debugDescription))"
                : "field '\(path(context.codingPath))': \(underlying ?? context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}
