import Foundation
import Hummingbird

extension DecodingError {
    /// The error as a 400 for a client, in the service's words with a stable code:
    ///
    /// | decoder error | code | message |
    /// | --- | --- | --- |
    /// | not JSON | `invalid_json` | `body is not valid JSON` |
    /// | another JSON value at the top | `invalid_json` | `body must be a JSON object` |
    /// | a key missing | `missing_field` | `field 'text' is missing` |
    /// | a wrong type or null | `wrong_type` | `field 'text' must be a string` |
    /// | a value out of range or not one of the accepted ones | `invalid_value` | `field 'verdict' has an invalid value` |
    ///
    /// Never the decoder's own description (Swift type names, the offending value). Field paths
    /// are the route's own keys (`items[2].name`); a key that is not a plain identifier — a
    /// client's key in a dictionary — is shown as `?`.
    public var serviceError: ServiceError {
        switch self {
        case .keyNotFound(let key, let context):
            return ServiceError(.badRequest, code: .missingField, message: "field '\(Self.path(context.codingPath + [key]))' is missing")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let expected = Self.jsonKind(of: type)
            if context.codingPath.isEmpty {
                return ServiceError(.badRequest, code: .invalidJSON, message: "body must be \(expected)")
            }
            return ServiceError(.badRequest, code: .wrongType, message: "field '\(Self.path(context.codingPath))' must be \(expected)")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return ServiceError(.badRequest, code: .invalidJSON, message: "body is not valid JSON")
            }
            return ServiceError(.badRequest, code: .invalidValue, message: "field '\(Self.path(context.codingPath))' has an invalid value")
        @unknown default:
            return ServiceError(.badRequest, code: .invalidJSON, message: "body is not valid JSON")
        }
    }

    /// `a.b[2].c`; keys that are not identifiers (up to 64 characters) become `?`.
    static func path(_ keys: [any CodingKey]) -> String {
        var path = ""
        for key in keys {
            if let index = key.intValue {
                path += "[\(index)]"
                continue
            }
            let name = key.stringValue
            let plain = name.count <= 64 && name.first.map { $0.isASCII && ($0.isLetter || $0 == "_") } == true
                && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            path += (path.isEmpty ? "" : ".") + (plain ? name : "?")
        }
        return path
    }

    /// What the decoder expected, as a JSON kind: `a string`, `a number`, `true or false`,
    /// `an array` or `a JSON object` (a nested type, a dictionary).
    static func jsonKind(of type: Any.Type) -> String {
        if type == String.self || type == Substring.self || type == Character.self { return "a string" }
        if type == Bool.self { return "true or false" }
        if type is any BinaryInteger.Type || type is any BinaryFloatingPoint.Type || type == Decimal.self { return "a number" }
        if type is [String: Any].Type { return "a JSON object" }
        if type is any Collection.Type { return "an array" }
        return "a JSON object"
    }
}
