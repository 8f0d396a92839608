import Foundation
import Hummingbird

/// Errors of the HTTP API: a status and a stable code, rendered as
/// `{"error": {"code": "...", "message": "..."}}`. Messages never echo secrets or ticket text.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(["error": ["code": code, "message": message]])
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static let unauthorized = APIError(.unauthorized, code: "unauthorized", message: "a valid bearer token is required")
    static let forbidden = APIError(.forbidden, code: "forbidden", message: "this token's role may not use this route")
    static let tooLarge = APIError(.contentTooLarge, code: "body_too_large", message: "the request body is too large")
    static let rateLimited = APIError(.tooManyRequests, code: "rate_limited", message: "too many requests; slow down")
    static func invalid(_ message: String) -> APIError { APIError(.badRequest, code: "invalid_request", message: message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message: message) }
}
