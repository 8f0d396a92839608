public import AssistantCore
import Foundation
import RecordStore
public import Hummingbird
public import Logging
public import ServiceSupport

/// Settings of `assistant serve`: the shared service settings (listening, TLS, timeouts,
/// connection, body and rate limits, executor, refusal audit).
public typealias ServerConfiguration = ServiceConfiguration

/// What the routes work with.
public struct AssistantService: Sendable {
    /// The answerer for one request: a fixed one, or the one following the registry's active
    /// version (`ActiveModelFollower`), so a promotion is picked up while serving.
    public let answerer: @Sendable () -> Answerer
    public let index: KnowledgeIndex
    public let store: AssistantStore

    public init(answerer: Answerer, index: KnowledgeIndex, store: AssistantStore) {
        self.init(answerers: { answerer }, index: index, store: store)
    }

    public init(answerers: @escaping @Sendable () -> Answerer, index: KnowledgeIndex, store: AssistantStore) {
        self.answerer = answerers
        self.index = index
        self.store = store
    }
}

/// The HTTP application: `GET /healthz` (no auth, no executor); with a bearer token,
/// `POST /v1/answer`, `POST /v1/classify`, `POST /v1/feedback`, `GET /v1/articles/{id}`;
/// `GET /metrics` for admins. The middleware, `/healthz`, the 404s and 405s, the timeouts, the
/// connection limit and TLS come from `ServiceRouter` (apps/ServiceSupport).
///
/// The executor and the refusal auditor run as the application's services, so they start with
/// the server and stop after it on graceful shutdown.
/// - Parameters:
///   - executor: the inference executor (default: a new one from `configuration.executor`,
///     reporting its queue depth to `metrics`); tests inject a small one.
///   - refusals: the auditor of refused authentications (default: one writing to the store's
///     audit trail every `configuration.refusalAuditIntervalSeconds`).
///   - drain: in-flight tracking for graceful shutdown (tests wait on it).
///   - onServerRunning: called with the bound port once the server listens (port 0 picks one).
public func buildApplication(_ configuration: ServerConfiguration, service: AssistantService,
                             metrics: ServerMetrics = ServerMetrics(), executor: InferenceExecutor? = nil,
                             refusals: AuthenticationRefusalAuditor? = nil,
                             drain: DrainMonitor? = nil, logger: Logger = Logger(label: "assistant"),
                             onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in })
    -> some ApplicationProtocol
{
    let serviceMetrics = metrics.service
    let executor = executor ?? InferenceExecutor(configuration.executor) { serviceMetrics.recordQueueDepth($0.waiting) }
    let refusals = refusals ?? RefusedAuthenticationAudit.auditor(executor: executor, intervalSeconds: configuration.refusalAuditIntervalSeconds,
                                                                  append: service.store.secure.auditRefusedAuthentication)
    let drain = drain ?? DrainMonitor(metrics: serviceMetrics, logger: logger)
    let store = service.store

    let routes = ServiceRouter<AssistantStore.Role>(configuration: configuration, metrics: serviceMetrics, drain: drain,
                                                   refusals: refusals, errors: AssistantErrors.map) { try store.identity(forToken: $0) }
    let controller = APIController(service: service, metrics: metrics, executor: executor,
                                   maximumBodyBytes: configuration.maximumBodyBytes)
    controller.addAgentRoutes(to: routes.api.group().add(middleware: requireRole(AssistantStore.Role.agent)))
    controller.addAdminRoutes(to: routes.api.group().add(middleware: requireRole(AssistantStore.Role.admin)))
    return routes.application(configuration: configuration, serverName: "assistant", services: [executor, refusals],
                              logger: logger, onServerRunning: onServerRunning)
}
