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
