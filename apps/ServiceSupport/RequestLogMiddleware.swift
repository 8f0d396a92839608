import Foundation
public import Hummingbird
public import Logging

/// One structured swift-log line per request: method, route pattern, status, duration and the
/// request id Hummingbird puts in the logger's metadata. Never the raw path, query, headers,
/// body or token (tickets are personal data; tokens are secrets).
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    public init(level: Logger.Level = .info) { self.level = level }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let method = request.method.rawValue
        let route = context.endpointPath ?? "unmatched"
        func log(_ status: Int) {
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            context.logger.log(level: level, "request", metadata: [
                "http.method": .string(method), "http.route": .string(route), "http.status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.1f", milliseconds)),
            ])
        }
        do {
            let response = try await next(request, context)
            log(Int(response.status.code))
            return response
        } catch {
            log(Int((error as? any HTTPResponseError)?.status.code ?? 500))
            throw error
        }
    }
}
