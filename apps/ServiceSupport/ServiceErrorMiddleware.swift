public import Hummingbird
import Logging

/// The edge where errors become HTTP responses: a product's typed errors through its `map`,
/// the executor's errors as 503, Hummingbird's own `HTTPError`s (unknown route, …) under a
/// stable code, anything else as a 500 `internal_error`. Only the error's type is logged, never
/// its description (which could hold request content).
public struct ServiceErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let map: @Sendable (any Error) -> ServiceError?

    /// - Parameter map: the product's typed errors as `ServiceError`s; nil for errors it does not know.
    public init(map: @escaping @Sendable (any Error) -> ServiceError? = { _ in nil }) {
        self.map = map
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try serviceError(for: error, logger: context.logger).response(from: request, context: context)
        }
    }

    func serviceError(for error: any Error, logger: Logger) -> ServiceError {
        if let error = error as? ServiceError { return error }
        if let mapped = map(error) { return mapped }
        if let error = error as? InferenceExecutorError { return error.serviceError }
        if let error = error as? HTTPError { return Self.serviceError(status: error.status) }
        if let error = error as? any HTTPResponseError { return Self.serviceError(status: error.status) }
        logger.error("unhandled error", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
        return .internalError
    }

    /// A framework error by its status (its message is not passed on).
    static func serviceError(status: HTTPResponse.Status) -> ServiceError {
        switch status {
        case .badRequest: return .invalid("invalid request")
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound("no such route")
        case .contentTooLarge: return .bodyTooLarge
        case .tooManyRequests: return .rateLimited(retryAfterSeconds: 1)
        case .serviceUnavailable: return .overloaded(retryAfterSeconds: 1)
        default:
            if (400..<500).contains(status.code) { return ServiceError(status, code: .invalidRequest, message: "invalid request") }
            return .internalError
        }
    }
}
