import AssistantCore
import Foundation
import Hummingbird

/// Settings of `assistant serve`.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Largest accepted request body, in bytes.
    public var maximumBodyBytes = 64 * 1024
    /// Requests per minute and token.
    public var requestsPerMinute = 600

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
public func buildApplication(_ configuration: ServerConfiguration, service: AssistantService,
                             metrics: ServerMetrics = ServerMetrics()) -> some ApplicationProtocol {
    let router = Router(context: ServerContext.self)
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.get("healthz") { _, _ in "ok\n" }
    let api = router.group()
        .add(middleware: AuthMiddleware(store: service.store, limiter: RateLimiter(perMinute: configuration.requestsPerMinute)))
    APIController(service: service, metrics: metrics, maximumBodyBytes: configuration.maximumBodyBytes).addRoutes(to: api)
    return Application(router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                            serverName: "assistant"))
}
