public import Hummingbird
public import Logging
public import ServiceLifecycle
import NIOCore

/// The router every suite service starts from, and the application that serves it.
///
/// Middleware, outermost first: request log, request metrics, drain tracking, errors → JSON.
/// `GET /healthz` answers right there — no token, no rate limit, no executor — so it answers
/// while every inference worker is busy and the queue is full. Every `GET` route answers `HEAD`. Routes that need a token go in
/// `api`: bearer token (401s audited), 403s audited, rate limit, body limit; products add role
/// groups inside it.
public struct ServiceRouter<Role: Hashable & Sendable> {
    public typealias Context = ServiceRequestContext<Role>

    public let router: Router<Context>
    /// Where the routes that need a token go.
    public let api: RouterGroup<Context>
    let metrics: ServiceMetrics

    /// - Parameters:
    ///   - errors: the product's typed errors as `ServiceError`s (nil for those it does not know).
    ///   - verify: the identity of a bearer token's secret, nil when unknown or revoked.
    public init(configuration: ServiceConfiguration, metrics: ServiceMetrics, drain: DrainMonitor,
                refusals: AuthenticationRefusalAuditor, errors: @escaping @Sendable (any Error) -> ServiceError?,
                verify: @escaping @Sendable (_ secret: String) async throws -> TokenIdentity<Role>?) {
        self.metrics = metrics
        router = Router(context: Context.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: DrainMiddleware(monitor: drain))
        router.add(middleware: ServiceErrorMiddleware(map: errors))
        router.get("healthz") { _, _ in "ok\n" }
        api = router.group()
            .add(middleware: BearerTokenAuthenticator<Role>(refusals: refusals, verify: verify))
            .add(middleware: AuthenticationRefusalMiddleware<Role>(auditor: refusals))
            .add(middleware: RateLimitMiddleware<Role>(limiter: RateLimiter(perMinute: configuration.requestsPerMinute)))
            .add(middleware: BodyLimitMiddleware(maximumBytes: configuration.maximumBodyBytes))
    }

    /// The application serving the routes added so far: 405s with `Allow` for the other methods
    /// of every known path, then the server of `HTTPServerBuilder.service` (timeouts,
    /// per-client connection limit, TLS). `services` (the executor, the refusal auditor) start
    /// with it and stop after the server has drained, last first.
    /// - Parameter onServerRunning: called with the bound port once the server listens — the
    ///   moment to say "serving", never before (a busy port fails `run()` instead).
    public func application(configuration: ServiceConfiguration, serverName: String, services: [any Service], logger: Logger,
                            onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void) -> some ApplicationProtocol {
        router.addMethodNotAllowedResponses()
        return Application(router: router, server: .service(configuration, metrics: metrics),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
                           services: services, onServerRunning: { await onServerRunning($0.localAddress?.port) }, logger: logger)
    }
}
