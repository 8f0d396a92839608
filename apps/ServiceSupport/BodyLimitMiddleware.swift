public import Hummingbird

/// Refuses bodies over `maximumBytes` with 413 `body_too_large`: at once when `Content-Length`
/// says so, otherwise while reading (a chunked body is never buffered beyond the limit). The
/// handler then reads the collected body.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maximumBytes: Int

    public init(maximumBytes: Int) {
        precondition(maximumBytes > 0, "the body limit must be positive")
        self.maximumBytes = maximumBytes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBytes {
            throw ServiceError.bodyTooLarge
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch {
            throw ServiceError.bodyTooLarge
        }
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }
}
