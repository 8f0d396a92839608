public import Hummingbird
public import Logging
import ServiceLifecycle
import Synchronization

/// Tracks in-flight requests for graceful shutdown. Each request runs inside
/// `withGracefulShutdownHandler`, so when the HTTP server's service is told to shut down (its
/// request tasks inherit its graceful-shutdown context) the monitor logs how many requests are
/// being drained and wakes `waitForDrainStart()`. The server itself stops accepting connections
/// and closes each one after its current response; nothing here cuts a request short.
public final class DrainMonitor: Sendable {
    private struct State {
        var inFlight = 0
        var draining = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let metrics: ServiceMetrics?
    private let logger: Logger

    public init(metrics: ServiceMetrics? = nil, logger: Logger = Logger(label: "service")) {
        self.metrics = metrics
        self.logger = logger
    }

    package var inFlight: Int { state.withLock { $0.inFlight } }
    var isDraining: Bool { state.withLock { $0.draining } }

    /// Returns once graceful shutdown has begun while a request was in flight.
    package func waitForDrainStart() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let draining = state.withLock { s -> Bool in
                if !s.draining { s.waiters.append(continuation) }
                return s.draining
            }
            if draining { continuation.resume() }
        }
    }

    func track<T>(_ operation: () async throws -> T) async throws -> T {
        let count = state.withLock { s -> Int in
            s.inFlight += 1
            return s.inFlight
        }
        metrics?.recordInFlight(count)
        defer {
            let count = state.withLock { s -> Int in
                s.inFlight -= 1
                return s.inFlight
            }
            metrics?.recordInFlight(count)
        }
        return try await withGracefulShutdownHandler(operation: operation, onGracefulShutdown: { [self] in beginDrain() })
    }

    private func beginDrain() {
        let (first, count, waiters) = state.withLock { s -> (Bool, Int, [CheckedContinuation<Void, Never>]) in
            defer { s.draining = true; s.waiters = [] }
            return (!s.draining, s.inFlight, s.waiters)
        }
        if first { logger.info("graceful shutdown: draining in-flight requests", metadata: ["requests.in_flight": "\(count)"]) }
        for waiter in waiters { waiter.resume() }
    }
}

/// Runs every request under the `DrainMonitor`.
public struct DrainMiddleware<Context: RequestContext>: RouterMiddleware {
    let monitor: DrainMonitor

    public init(monitor: DrainMonitor) { self.monitor = monitor }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await monitor.track { try await next(request, context) }
    }
}
