import Foundation
import Hummingbird

/// A JSON response body with sorted keys (stable output for clients and tests).
public struct JSONResponse: ResponseGenerator {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    let data: Data
    let status: HTTPResponse.Status

    public init(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws {
        data = try Self.encoder.encode(value)
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
            throw ServiceError.invalid("invalid JSON body: \(error.summary)")
        } catch {
            throw ServiceError.invalid("invalid JSON body")
        }
    }
}

extension DecodingError {
    /// What went wrong and where (a coding path), without the decoded values.
    var summary: String {
        func path(_ context: Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at '\(path(context))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at '\(path(context))'"
        @unknown default: return "not valid JSON"
        }
    }
}
