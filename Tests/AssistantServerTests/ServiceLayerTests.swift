import AssistantCore
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import ServiceSupport
import TestSupport
import Testing
import RecordStore
import GRDB
@testable import AssistantServer

/// The shared service layer as the assistant uses it: the executor's queue limit (503 +
/// Retry-After), roles, the Prometheus exposition, the body limit, and graceful shutdown
/// draining an in-flight request. Jobs that must block wait on semaphores on the executor's
/// own threads; the tests wait on signals (the executor's load reports, drain start), never on time.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"), .timeLimit(.minutes(2)))
struct ServiceLayerTests {
    typealias Setup = APITests.Setup

    static func errorCode(_ buffer: ByteBuffer) -> String? {
        (APITests.json(buffer)["error"] as? [String: Any])?["code"] as? String
    }

    static let classifyBody = ByteBuffer(string: #"{"text":"my card never arrived"}"#)

    @Test func fullQueueAnswers503WithRetryAfter() async throws {
        let s = try APITests.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        let gate = DispatchSemaphore(value: 0)
        let (loads, loadSignal) = AsyncStream.makeStream(of: InferenceExecutor.Load.self)
        let executor = InferenceExecutor(.init(workers: 1, queueLimit: 1, retryAfterSeconds: 3)) { loadSignal.yield($0) }
        let app = buildApplication(ServerConfiguration(), service: s.service, executor: executor)
        try await app.test(.router) { client in
            // One job holds the worker, one waits: the queue is full.
            try executor.enqueue { gate.wait() }
            try executor.enqueue { gate.wait() }
            for uri in ["/v1/classify", "/v1/answer"] {
                try await client.execute(uri: uri, method: .post, headers: APITests.headers(s.agent), body: Self.classifyBody) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == "3")
                    #expect(Self.errorCode(response.body) == "overloaded")
                }
            }
            // Reads that need no worker still work, and /healthz never meets the executor.
            try await client.execute(uri: "/v1/articles/kb-freeze-card", method: .get, headers: APITests.headers(s.agent)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            #expect(executor.load == .init(waiting: 1, running: 1))
            gate.signal()
            gate.signal()
            _ = await loads.first { $0 == .init(waiting: 0, running: 0) }  // both held jobs finished
            try await client.execute(uri: "/v1/classify", method: .post, headers: APITests.headers(s.agent), body: Self.classifyBody) {
                #expect($0.status == .ok)
            }
        }
        // Refused requests stored nothing.
        let tickets = try await s.service.store.secure.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tickets") }
        #expect(tickets == 0)
    }

    @Test func agentTokenIsDeniedOnAdminRoute() async throws {
        let s = try APITests.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        let app = buildApplication(ServerConfiguration(), service: s.service)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get, headers: APITests.headers(s.agent)) { response in
                #expect(response.status == .forbidden)
                #expect(Self.errorCode(response.body) == "forbidden")
            }
            try await client.execute(uri: "/metrics", method: .get, headers: APITests.headers(s.admin)) { #expect($0.status == .ok) }
            // An admin holds the agent role too.
            try await client.execute(uri: "/v1/articles/kb-freeze-card", method: .get, headers: APITests.headers(s.admin)) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test func metricsArePrometheusText() async throws {
        let s = try APITests.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        let app = buildApplication(ServerConfiguration(), service: s.service)
        try await app.test(.router) { client in
            for id in ["kb-freeze-card", "kb-freeze-card", "kb-nope"] {
                try await client.execute(uri: "/v1/articles/\(id)", method: .get, headers: APITests.headers(s.agent)) { _ in }
            }
            try await client.execute(uri: "/v1/answer", method: .post, headers: APITests.headers(nil), body: Self.classifyBody) { _ in }
            try await client.execute(uri: "/metrics", method: .get, headers: APITests.headers(s.admin)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                // Route patterns, not raw paths, so article ids never become label values.
                #expect(text.contains(#"assistant_requests_total{route="/v1/articles/{id}",status="200"} 2"#))
                #expect(text.contains(#"assistant_requests_total{route="/v1/articles/{id}",status="404"} 1"#))
                #expect(text.contains(#"assistant_requests_total{route="/v1/answer",status="401"} 1"#))
                #expect(!text.contains("kb-nope"))
                for type in ["assistant_requests_total counter", "assistant_request_seconds histogram",
                             "assistant_decisions_total counter", "assistant_escalation_rate gauge",
                             "assistant_inference_queue_depth gauge", "assistant_requests_in_flight gauge"] {
                    #expect(text.contains("# TYPE \(type)\n"), "\(type)")
                }
                #expect(text.contains(#"assistant_request_seconds_bucket{le="+Inf"} 4"#))
                #expect(text.contains(#"assistant_decisions_total{decision="answer"} 0"#))
                // Every sample line is `name{labels} value` (the text format, version 0.0.4).
                let sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? -?[0-9.e+-]+|NaN$/
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    #expect(line.wholeMatch(of: sample) != nil, "\(line)")
                }
            }
        }
    }

    @Test func oversizedBodyGets413WithStableCode() async throws {
        let s = try APITests.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        var configuration = ServerConfiguration()
        configuration.maximumBodyBytes = 1024
        let app = buildApplication(configuration, service: s.service)
        try await app.test(.router) { client in
            let huge = #"{"text":""# + String(repeating: "a", count: 5000) + #""}"#
            for uri in ["/v1/answer", "/v1/classify", "/v1/feedback"] {
                try await client.execute(uri: uri, method: .post, headers: APITests.headers(s.agent), body: ByteBuffer(string: huge)) { response in
                    #expect(response.status == .contentTooLarge)
                    #expect(Self.errorCode(response.body) == "body_too_large")
                    #expect(!String(buffer: response.body).contains("aaaa"))
                }
            }
        }
    }

    @Test func shutdownDrainsInFlightRequests() async throws {
        let s = try APITests.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        let gate = DispatchSemaphore(value: 0)
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let (loads, loadSignal) = AsyncStream.makeStream(of: InferenceExecutor.Load.self)
        let (ports, portSignal) = AsyncStream.makeStream(of: Int.self)
        let executor = InferenceExecutor(.init(workers: 1, queueLimit: 4)) { loadSignal.yield($0) }
        let drain = DrainMonitor()
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let app = buildApplication(configuration, service: s.service, executor: executor, drain: drain) { port in
            portSignal.yield(port ?? 0)
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try #require(await ports.first { _ in true })
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60)))
            client.connect()
            // Hold the only worker, then send a request: its job waits behind the held one.
            try executor.enqueue { startedSignal.yield(); gate.wait() }
            await started.first { _ in true }  // load went (1 waiting, 0 running), then (0, 1)
            let request = Task {
                try await client.execute(.init("/v1/classify", method: .post, headers: APITests.headers(s.agent), body: Self.classifyBody))
            }
            var events = loads.makeAsyncIterator()
            _ = await events.next(); _ = await events.next()
            #expect(await events.next() == .init(waiting: 1, running: 1))  // the request's job is queued: it is in flight
            await group.triggerGracefulShutdown()
            await drain.waitForDrainStart()  // the server is shutting down with the request still in flight
            #expect(drain.inFlight == 1)
            gate.signal()
            let response = try await request.value
            #expect(response.status == .ok)
            #expect(((response.body.map(APITests.json)?["intents"]) as? [[String: Any]])?.count == 3)
            try? await client.shutdown()
            try await tasks.waitForAll()  // the service group ended: server drained, executor stopped
        }
        #expect(throws: InferenceExecutorError.shuttingDown) { try executor.enqueue {} }
    }
}
