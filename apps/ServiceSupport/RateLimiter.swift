public import Foundation
public import Hummingbird
import Synchronization

/// A fixed one-minute window per key (a token name): at most `perMinute` requests in each
/// calendar minute. Small and exact; behind a load balancer each instance counts its own.
public final class RateLimiter: Sendable {
    let perMinute: Int
    private let windows = Mutex<[String: (minute: Int, count: Int)]>([:])
    private let clock: @Sendable () -> Date

    /// - Parameter clock: the time now (tests fix it).
    public init(perMinute: Int, clock: @escaping @Sendable () -> Date = { Date() }) {
        precondition(perMinute > 0, "the rate limit must be positive")
        self.perMinute = perMinute
        self.clock = clock
    }

    /// Whether one more request is allowed at `now` (default: the clock's time); when not, the
    /// seconds until the window ends.
    public func check(_ key: String, now: Date? = nil) -> (allowed: Bool, retryAfterSeconds: Int) {
        let now = now ?? clock()
        let seconds = now.timeIntervalSince1970
        let minute = Int(seconds / 60)
        let allowed = windows.withLock { w in
            if w.count > 10_000 { w = w.filter { $0.value.minute == minute } }  // forget idle keys
            var entry = w[key] ?? (minute, 0)
            if entry.minute != minute { entry = (minute, 0) }
            entry.count += 1
            w[key] = entry
            return entry.count <= perMinute
        }
        return (allowed, max(1, Int((Double(minute + 1) * 60 - seconds).rounded(.up))))
    }
}

/// 429 `rate_limited` with `Retry-After` once a token has used its requests of the minute.
/// Runs after authentication (it counts per token name).
public struct RateLimitMiddleware<Role: Hashable & Sendable>: RouterMiddleware {
    public typealias Context = ServiceRequestContext<Role>
    let limiter: RateLimiter

    public init(limiter: RateLimiter) { self.limiter = limiter }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let name = context.identity?.name else { throw ServiceError.unauthorized }
        let verdict = limiter.check(name)
        guard verdict.allowed else { throw ServiceError.rateLimited(retryAfterSeconds: verdict.retryAfterSeconds) }
        return try await next(request, context)
    }
}
