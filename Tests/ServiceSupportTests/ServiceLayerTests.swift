import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceSupport
import Testing

/// The middleware stack on a tiny router: stable JSON errors for framework and unknown errors,
/// bearer tokens and roles, the body and rate limits, the metrics exposition.
@Suite(.timeLimit(.minutes(1)))
struct ServiceLayerTests {
    enum Role: Hashable, Sendable { case user, admin }
    struct Secret: Error, CustomStringConvertible { var description: String { "secret ticket text" } }

    static func app(perMinute: Int = 100) -> (some ApplicationProtocol, ServiceMetrics) {
        let fixedTime = Date(timeIntervalSince1970: 600 + 45)
        let metrics = ServiceMetrics(prefix: "test")
        let router = Router(context: ServiceRequestContext<Role>.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ServiceErrorMiddleware())
        router.get("healthz") { _, _ in "ok" }
        let api = router.group()
            .add(middleware: BearerTokenAuthenticator<Role> { secret in
                switch secret {
                case "u": return TokenIdentity(name: "u", roles: [.user])
                case "a": return TokenIdentity(name: "a", roles: [.user, .admin])
                default: return nil
                }
            })
            .add(middleware: RateLimitMiddleware<Role>(limiter: RateLimiter(perMinute: perMinute) { fixedTime }))
            .add(middleware: BodyLimitMiddleware(maximumBytes: 16))
        api.group().add(middleware: requireRole(Role.user)).post("echo") { request, _ in
            try await request.decodeJSON([String: String].self, upTo: 16)["a"] ?? ""
        }
        api.group().add(middleware: requireRole(Role.user)).get("fail") { _, _ -> String in throw Secret() }
        api.group().add(middleware: requireRole(Role.admin)).get("metrics") { _, _ in metrics.response() }
        return (Application(router: router), metrics)
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func code(_ body: ByteBuffer) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }

    @Test func errorsRolesAndLimits() async throws {
        let (app, _) = Self.app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get) {
                #expect($0.status == .notFound && Self.code($0.body) == "not_found")
            }
            try await client.execute(uri: "/echo", method: .post, body: ByteBuffer(string: #"{"a":"b"}"#)) {
                #expect($0.status == .unauthorized && Self.code($0.body) == "unauthorized")
            }
            try await client.execute(uri: "/echo", method: .post, headers: Self.bearer("u"), body: ByteBuffer(string: #"{"a":"b"}"#)) {
                #expect($0.status == .ok && String(buffer: $0.body) == "b")
            }
            try await client.execute(uri: "/echo", method: .post, headers: Self.bearer("u"), body: ByteBuffer(string: "{nope}")) {
                #expect($0.status == .badRequest && Self.code($0.body) == "invalid_json")
            }
            try await client.execute(uri: "/echo", method: .post, headers: Self.bearer("u"),
                                     body: ByteBuffer(string: #"{"a":"0123456789abcdef"}"#)) {
                #expect($0.status == .contentTooLarge && Self.code($0.body) == "body_too_large")
            }
            try await client.execute(uri: "/fail", method: .get, headers: Self.bearer("u")) {
                #expect($0.status == .internalServerError && Self.code($0.body) == "internal_error")
                #expect(!String(buffer: $0.body).contains("secret"))
            }
            try await client.execute(uri: "/metrics", method: .get, headers: Self.bearer("u")) {
                #expect($0.status == .forbidden && Self.code($0.body) == "forbidden")
            }
            try await client.execute(uri: "/metrics", method: .get, headers: Self.bearer("a")) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#"test_requests_total{route="/echo",status="200"} 1"#))
                #expect(text.contains(#"test_requests_total{route="/metrics",status="403"} 1"#))
                #expect(text.contains(#"test_requests_total{route="unmatched",status="404"} 1"#))
                #expect(text.contains(#"test_requests_total{route="/echo",status="413"} 1"#))
            }
        }
    }

    @Test func rateLimitSendsRetryAfter() async throws {
        let (app, _) = Self.app(perMinute: 1)
        try await app.test(.router) { client in
            try await client.execute(uri: "/fail", method: .get, headers: Self.bearer("u")) { #expect($0.status == .internalServerError) }
            try await client.execute(uri: "/fail", method: .get, headers: Self.bearer("u")) { response in
                #expect(response.status == .tooManyRequests && Self.code(response.body) == "rate_limited")
                #expect(response.headers[.retryAfter] == "15")  // the clock is fixed 45 s into a minute
            }
        }
        let limiter = RateLimiter(perMinute: 2)
        let now = Date(timeIntervalSince1970: 600 + 45)
        #expect(limiter.check("k", now: now).allowed && limiter.check("k", now: now).allowed)
        let refused = limiter.check("k", now: now)
        #expect(!refused.allowed && refused.retryAfterSeconds == 15)
        #expect(limiter.check("k", now: now.addingTimeInterval(15)).allowed)
    }
}
