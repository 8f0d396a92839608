import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import ServiceSupport
import Synchronization
import Testing

/// A small service on `ServiceRouter`, as a product builds one: tokens `u` (user) and `a`
/// (user, admin); `POST /echo` decodes a body, `POST /slow` runs `slowJob` on the executor (a
/// stand-in for a model call), `GET /fail/{code}` throws a framework error, `GET /metrics` (admin).
struct TestService {
    enum Role: Hashable, Sendable { case user, admin }

    enum Verdict: String, Decodable { case accept, reject }
    struct EchoBody: Decodable {
        let text: String
        let count: Int?
        let tags: [String]?
        let verdict: Verdict?
    }

    var configuration: ServiceConfiguration
    let metrics = ServiceMetrics(prefix: "test")
    let executor: InferenceExecutor
    let refusals: AuthenticationRefusalAuditor
    /// What `POST /slow` runs on an inference worker (default: sleeps 20 ms).
    var slowJob: @Sendable () -> Void = { Thread.sleep(forTimeInterval: 0.02) }
    /// Warnings and worse (the request lines would flood the test output).
    var logger = { var logger = Logger(label: "test"); logger.logLevel = .warning; return logger }()

    init(configuration: ServiceConfiguration = Self.loopback, executor: InferenceExecutor = InferenceExecutor(.init(workers: 1, queueLimit: 8)),
         refusals: AuthenticationRefusalAuditor = AuthenticationRefusalAuditor { _ in }) {
        self.configuration = configuration
        self.executor = executor
        self.refusals = refusals
    }

    /// 127.0.0.1, a free port, 1 KiB bodies.
    static var loopback: ServiceConfiguration {
        var configuration = ServiceConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.maximumBodyBytes = 1024
        return configuration
    }

    func application(onServerRunning: @escaping @Sendable (Int?) async -> Void = { _ in }) -> some ApplicationProtocol {
        let routes = ServiceRouter<Role>(configuration: configuration, metrics: metrics, drain: DrainMonitor(), refusals: refusals,
                                         errors: { _ in nil }) { secret in
            switch secret {
            case "u": return TokenIdentity(name: "u", roles: [.user])
            case "a": return TokenIdentity(name: "a", roles: [.user, .admin])
            default: return nil
            }
        }
        let users = routes.api.group().add(middleware: requireRole(Role.user))
        let (executor, slowJob, limit) = (self.executor, self.slowJob, configuration.maximumBodyBytes)
        users.post("echo") { request, _ in try await request.decodeJSON(EchoBody.self, upTo: limit).text }
        users.post("slow") { _, _ in
            try await executor.perform { slowJob(); return "done" }
        }
        users.get("fail/:code") { _, context -> String in
            throw HTTPError(.init(code: try context.parameters.require("code", as: Int.self)))
        }
        let metrics = self.metrics
        routes.api.group().add(middleware: requireRole(Role.admin)).get("metrics") { _, _ in metrics.response() }
        return routes.application(configuration: configuration, serverName: "test", services: [executor, refusals], logger: logger,
                                  onServerRunning: onServerRunning)
    }

    /// Runs the service on 127.0.0.1 until `body` returns, then shuts it down gracefully.
    func withRunningServer<T: Sendable>(_ body: @Sendable (_ port: Int) async throws -> T) async throws -> T {
        let (ports, portSignal) = AsyncStream.makeStream(of: Int.self)
        let app = application { portSignal.yield($0 ?? 0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            let port = try #require(await ports.first { _ in true })
            let result: T
            do {
                result = try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    /// The `error.code` of a JSON error body.
    static func code(_ body: ByteBuffer?) -> String? { error(body)?["code"] }

    /// The `error.message` of a JSON error body.
    static func message(_ body: ByteBuffer?) -> String? { error(body)?["message"] }

    static func error(_ body: ByteBuffer?) -> [String: String]? {
        guard let body else { return nil }
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return object?["error"] as? [String: String]
    }
}

/// Lines a `JSONLogHandler` wrote, kept in memory.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func logger(label: String = "test") -> Logger {
        Logger(label: label) { label in JSONLogHandler(label: label) { [self] line in lines.withLock { $0.append(line) } } }
    }
}
