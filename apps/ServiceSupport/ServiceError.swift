import Foundation
public import Hummingbird
import SuiteFoundation

/// The stable error codes of the HTTP services. Clients switch on these; the messages are for
/// people and may change. Documented in docs/HTTP-API.md.
public enum ServiceErrorCode: String, Sendable, CaseIterable {
    case invalidRequest = "invalid_request"
    /// The body is not JSON, or not the JSON value the route takes (an object).
    case invalidJSON = "invalid_json"
    /// A field the route needs is absent.
    case missingField = "missing_field"
    /// A field holds another JSON type than the route takes (a number for a string, null, …).
    case wrongType = "wrong_type"
    /// A field has the right type but a value the route does not accept (an unknown verdict, …).
    case invalidValue = "invalid_value"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    /// The request conflicts with the resource's state (e.g. a study already marked read).
    case conflict
    /// The path exists but not with this method; `Allow` lists those it has.
    case methodNotAllowed = "method_not_allowed"
    case bodyTooLarge = "body_too_large"
    case rateLimited = "rate_limited"
    case overloaded
    case shuttingDown = "shutting_down"
    case internalError = "internal_error"
}

/// An error as the client sees it: a status, a stable code, a message and extra headers
/// (`Retry-After`, `Allow`), rendered as `{"error": {"code": "...", "message": "..."}}`.
/// Messages never echo secrets or ticket text: products build them from their typed errors
/// at the edge (`ServiceErrorMiddleware`), never from request content.
public struct ServiceError: HTTPResponseError, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: ServiceErrorCode
    public let message: String
    /// Seconds after which a retry may succeed (429 and 503); sent as `Retry-After`.
    public let retryAfterSeconds: Int?
    /// The methods the path has (405); sent as `Allow`.
    public let allowedMethods: [HTTPRequest.Method]?

    public init(_ status: HTTPResponse.Status, code: ServiceErrorCode, message: String, retryAfterSeconds: Int? = nil,
                allowedMethods: [HTTPRequest.Method]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.allowedMethods = allowedMethods
    }

    package var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        if let allowedMethods { headers[.allow] = allowedMethods.map(\.rawValue).joined(separator: ", ") }
        return headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONOutput.data(ErrorBody(error: .init(code: code.rawValue, message: message)))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    package static let unauthorized = ServiceError(.unauthorized, code: .unauthorized, message: "a valid bearer token is required")
    package static let forbidden = ServiceError(.forbidden, code: .forbidden, message: "this token's role may not use this route")
    static let bodyTooLarge = ServiceError(.contentTooLarge, code: .bodyTooLarge, message: "the request body is too large")
    static let internalError = ServiceError(.internalServerError, code: .internalError, message: "internal error")
    package static let shuttingDown = ServiceError(.serviceUnavailable, code: .shuttingDown, message: "the service is shutting down",
                                                  retryAfterSeconds: 1)
    static func rateLimited(retryAfterSeconds: Int) -> ServiceError {
        ServiceError(.tooManyRequests, code: .rateLimited, message: "too many requests; slow down", retryAfterSeconds: retryAfterSeconds)
    }
    package static func overloaded(retryAfterSeconds: Int) -> ServiceError {
        ServiceError(.serviceUnavailable, code: .overloaded, message: "the service is busy; retry later", retryAfterSeconds: retryAfterSeconds)
    }
    public static func invalid(_ message: String) -> ServiceError { ServiceError(.badRequest, code: .invalidRequest, message: message) }
    public static func notFound(_ message: String) -> ServiceError { ServiceError(.notFound, code: .notFound, message: message) }
    public static func conflict(_ message: String) -> ServiceError { ServiceError(.conflict, code: .conflict, message: message) }
    static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> ServiceError {
        ServiceError(.methodNotAllowed, code: .methodNotAllowed, message: "this path does not take this method", allowedMethods: allowed)
    }
}

/// `{"error": {"code": "...", "message": "..."}}`
private struct ErrorBody: Encodable {
    struct Detail: Encodable { let code: String; let message: String }
    let error: Detail
}
