import Foundation
public import Hummingbird
import SuiteFoundation

/// The stable error codes of the HTTP services. Clients switch on these; the messages are for
/// people and may change. Documented in docs/HTTP-API.md.
public enum ServiceErrorCode: String, Sendable, CaseIterable {
    case invalidRequest = "invalid_request"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case bodyTooLarge = "body_too_large"
    case rateLimited = "rate_limited"
    case overloaded
    case shuttingDown = "shutting_down"
    case internalError = "internal_error"
}

/// An error as the client sees it: a status, a stable code, a message and extra headers
/// (`Retry-After`), rendered as `{"error": {"code": "...", "message": "..."}}`.
/// Messages never echo secrets or ticket text: products build them from their typed errors
/// at the edge (`ServiceErrorMiddleware`), never from request content.
public struct ServiceError: HTTPResponseError, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: ServiceErrorCode
    public let message: String
    /// Seconds after which a retry may succeed (429 and 503); sent as `Retry-After`.
    public let retryAfterSeconds: Int?

    public init(_ status: HTTPResponse.Status, code: ServiceErrorCode, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    package var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
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
}

/// `{"error": {"code": "...", "message": "..."}}`
private struct ErrorBody: Encodable {
    struct Detail: Encodable { let code: String; let message: String }
    let error: Detail
}
