import AssistantCore
import Foundation
import Hummingbird
import Synchronization

/// Bearer-token authentication (tokens stored hashed), a per-token rate limit, and metrics.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let store: AssistantStore
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let identity = try store.authenticate(String(header.dropFirst("Bearer ".count)))
        else { throw APIError.unauthorized }
        guard limiter.allow(identity.name) else { throw APIError.rateLimited }
        var context = context
        context.tokenName = identity.name
        context.role = identity.role
        return try await next(request, context)
    }
}

/// Counts requests and latencies per route for `/metrics`.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let route = request.uri.path
        do {
            let response = try await next(request, context)
            metrics.record(route: route, status: Int(response.status.code), seconds: Self.since(start))
            return response
        } catch let error as HTTPResponseError {
            metrics.record(route: route, status: Int(error.status.code), seconds: Self.since(start))
            throw error
        } catch {
            metrics.record(route: route, status: 500, seconds: Self.since(start))
            throw error
        }
    }

    static func since(_ start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

/// A fixed one-minute window per token.
final class RateLimiter: Sendable {
    let perMinute: Int
    private let windows = Mutex<[String: (minute: Int, count: Int)]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    func allow(_ key: String, now: Date = Date()) -> Bool {
        let minute = Int(now.timeIntervalSince1970 / 60)
        return windows.withLock { w in
            var entry = w[key] ?? (minute, 0)
            if entry.minute != minute { entry = (minute, 0) }
            entry.count += 1
            w[key] = entry
            return entry.count <= perMinute
        }
    }
}
