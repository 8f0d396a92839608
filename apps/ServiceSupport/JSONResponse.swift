import Foundation
public import Hummingbird
import SuiteFoundation

/// A JSON response body in the suite's one JSON style (`JSONOutput`: sorted keys).
public struct JSONResponse: ResponseGenerator {
    let data: Data
    let status: HTTPResponse.Status

    public init(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws {
        data = try JSONOutput.data(value)
        self.status = status
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Request {
    /// Decodes the JSON body, which `BodyLimitMiddleware` has already read within its limit;
    /// malformed JSON is a 400 `invalid_request` naming the field, never echoing the content.
    public func decodeJSON<T: Decodable>(_ type: T.Type, upTo maximumBytes: Int) async throws -> T {
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch {
            throw ServiceError.bodyTooLarge
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw ServiceError.invalid("invalid JSON body: \(error.summaryWithoutValues)")
        } catch {
            throw ServiceError.invalid("invalid JSON body")
        }
    }
}
