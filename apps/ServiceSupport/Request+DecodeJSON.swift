import Foundation
public import Hummingbird

extension Request {
    /// Decodes the JSON body, which `BodyLimitMiddleware` has already read within its limit.
    /// A body that does not decode is a 400 in the service's own words with a stable code
    /// (`DecodingError.serviceError`), never Swift's decoder messages or the body's content.
    public func decodeJSON<T: Decodable>(_ type: T.Type, upTo maximumBytes: Int) async throws -> T {
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch {
            throw ServiceError.bodyTooLarge
        }
        guard buffer.readableBytes > 0 else { throw ServiceError(.badRequest, code: .invalidJSON, message: "body is empty; send a JSON object") }
        let data = Data(buffer.readableBytesView)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            // Foundation reports a number its field cannot hold (1.5 or 1e400 for an Int) as
            // invalid JSON without a path: well-formed JSON gets an answer that says so.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)) != nil {
                throw ServiceError(.badRequest, code: .invalidValue, message: "a number does not fit its field (a fraction, or out of range)")
            }
            throw error.serviceError
        } catch {
            throw ServiceError(.badRequest, code: .invalidJSON, message: "body is not valid JSON")
        }
    }
}
