public import AssistantCore
import Foundation
public import Hummingbird
public import Logging
public import ServiceSupport

/// Settings of `assistant serve`.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Largest accepted request body, in bytes.
    public var maximumBodyBytes = 64 * 1024
    /// Requests per minute and token.
    public var requestsPerMinute = 600
    /// Workers and queue limit of the inference executor.
    public var executor = InferenceExecutor.Configuration()

    public init() {}
}

/// What the routes work with.
public struct AssistantService: Sendable {
    public let answerer: Answerer
    public let index: KnowledgeIndex
    public let store: AssistantStore

    public init(answerer: Answerer, index: KnowledgeIndex, store: AssistantStore) {
        self.answerer = answerer
        self.index = index
        self.store = store
    }
}

/// The HTTP application: `GET /healthz` (no auth); with a bearer token, `POST /v1/answer`,
/// `POST /v1/classify`, `POST /v1/feedback`, `GET /v1/articles/{id}`; `GET /metrics` for admins.
///
/// Middleware, outermost first: request log, request metrics, drain tracking, errors → JSON;
/// then, for every route but `/healthz`: bearer token, rate limit, body limit, role.
/// The executor runs as one of the application's services, so it starts with the server and
/// drains after it on graceful shutdown.
/// - Parameters:
///   - executor: the inference executor (default: a new one from `configuration.executor`,
///     reporting its queue depth to `metrics`); tests inject a small one.
///   - drain: in-flight tracking for graceful shutdown (tests wait on it).
///   - onServerRunning: called with the bound port once the server listens (port 0 picks one).
public func buildApplication(_ configuration: ServerConfiguration, service: AssistantService,
                             metrics: ServerMetrics = ServerMetrics(), executor: InferenceExecutor? = nil,
                             drain: DrainMonitor? = nil, logger: Logger = Logger(label: "assistant"),
                             onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in })
    -> some ApplicationProtocol
{
    let serviceMetrics = metrics.service
    let executor = executor ?? InferenceExecutor(configuration.executor) { serviceMetrics.recordQueueDepth($0.waiting) }
    let drain = drain ?? DrainMonitor(metrics: serviceMetrics, logger: logger)
    let store = service.store

    let router = Router(context: ServerContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: RequestMetricsMiddleware(metrics: serviceMetrics))
    router.add(middleware: DrainMiddleware(monitor: drain))
    router.add(middleware: ServiceErrorMiddleware(map: AssistantErrors.map))
    router.get("healthz") { _, _ in "ok\n" }
    let api = router.group()
        .add(middleware: BearerTokenAuthenticator<AssistantStore.Role> { try store.identity(forToken: $0) })
        .add(middleware: RateLimitMiddleware<AssistantStore.Role>(limiter: RateLimiter(perMinute: configuration.requestsPerMinute)))
        .add(middleware: BodyLimitMiddleware(maximumBytes: configuration.maximumBodyBytes))
    let controller = APIController(service: service, metrics: metrics, executor: executor,
                                   maximumBodyBytes: configuration.maximumBodyBytes)
    controller.addAgentRoutes(to: api.group().add(middleware: requireRole(AssistantStore.Role.agent)))
    controller.addAdminRoutes(to: api.group().add(middleware: requireRole(AssistantStore.Role.admin)))
    return Application(router: router,
                       configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "assistant"),
                       services: [executor], onServerRunning: { await onServerRunning($0.localAddress?.port) }, logger: logger)
}
