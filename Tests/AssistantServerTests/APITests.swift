import AssistantCore
import Foundation
import Hummingbird
import HummingbirdTesting
import ModelRuntime
import RecordStore
import TestSupport
import Testing
import ServiceSupport
import Vault
import GRDB
import AuditLog
@testable import AssistantServer

/// The HTTP API through HummingbirdTesting: auth and roles, statuses and error codes, limits,
/// answers, feedback (also concurrent) and articles, on the demo knowledge base with the real model.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct APITests {
    struct Setup {
        let home: URL
        let service: AssistantService
        let agent: String
        let admin: String
    }

    static func setup() throws -> Setup {
        let home = try Fixtures.temporaryDirectory()
        let location = StoreLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        let store = try AssistantStore(location: location, environment: [:])
        let encoder = try SentenceEncoder(folder: Fixtures.miniLM)
        let index = try KnowledgeIndex(path: home.appendingPathComponent("kb.sqlite").path)
        _ = try index.build(KnowledgeBaseFile.load(Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path),
                            encoder: encoder, modelID: "m")
        let answerer = try Answerer(index: index, encoder: encoder, store: store, modelVersion: "m")
        return Setup(home: home, service: AssistantService(answerer: answerer, index: index, store: store),
                     agent: try store.createToken(name: "agent", role: .agent, actor: "test"),
                     admin: try store.createToken(name: "admin", role: .admin, actor: "test"))
    }

    static func headers(_ token: String?) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        fields[.contentType] = "application/json"
        return fields
    }

    static func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
    }

    @Test func routesStatusesAndErrors() async throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        var configuration = ServerConfiguration()
        configuration.maximumBodyBytes = 4096
        let app = buildApplication(configuration, service: s.service)
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/answer", method: .post, headers: Self.headers(nil),
                                     body: ByteBuffer(string: #"{"text":"hi"}"#)) { response in
                #expect(response.status == .unauthorized)
                #expect((Self.json(response.body)["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            }
            try await client.execute(uri: "/v1/answer", method: .post, headers: Self.headers("ast_wrong"),
                                     body: ByteBuffer(string: #"{"text":"hi"}"#)) { #expect($0.status == .unauthorized) }
            var ticketID = ""
            try await client.execute(uri: "/v1/answer", method: .post, headers: Self.headers(s.agent),
                                     body: ByteBuffer(string: #"{"text":"how do I freeze my card"}"#)) { response in
                #expect(response.status == .ok)
                let body = Self.json(response.body)
                #expect(body["decision"] as? String == "answer" && body["articleID"] as? String == "kb-freeze-card")
                ticketID = body["ticketID"] as? String ?? ""
            }
            try await client.execute(uri: "/v1/answer", method: .post, headers: Self.headers(s.agent),
                                     body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .badRequest)
                #expect((Self.json(response.body)["error"] as? [String: Any])?["code"] as? String == "invalid_json")
            }
            try await client.execute(uri: "/v1/answer", method: .post, headers: Self.headers(s.agent),
                                     body: ByteBuffer(string: #"{"text":"   "}"#)) { #expect($0.status == .badRequest) }
            let huge = #"{"text":""# + String(repeating: "a", count: 10_000) + #""}"#
            try await client.execute(uri: "/v1/answer", method: .post, headers: Self.headers(s.agent),
                                     body: ByteBuffer(string: huge)) { #expect($0.status == .contentTooLarge) }
            try await client.execute(uri: "/v1/classify", method: .post, headers: Self.headers(s.agent),
                                     body: ByteBuffer(string: #"{"text":"my card never arrived"}"#)) { response in
                #expect(response.status == .ok)
                #expect(((Self.json(response.body)["intents"] as? [[String: Any]])?.count ?? 0) == 3)
            }
            try await client.execute(uri: "/v1/articles/kb-freeze-card", method: .get, headers: Self.headers(s.agent)) {
                #expect($0.status == .ok && Self.json($0.body)["id"] as? String == "kb-freeze-card")
            }
            try await client.execute(uri: "/v1/articles/kb-nope", method: .get, headers: Self.headers(s.agent)) {
                #expect($0.status == .notFound)
            }
            for (body, status) in [(#"{"ticket_id":"\#(ticketID)","verdict":"accept"}"#, HTTPResponse.Status.created),
                                   (#"{"ticket_id":"\#(ticketID)","verdict":"edit","edited_text":"Use Cards → Freeze."}"#, .created),
                                   (#"{"ticket_id":"\#(ticketID)","verdict":"maybe"}"#, .badRequest),
                                   (#"{"ticket_id":"\#(ticketID)","verdict":"edit"}"#, .badRequest),
                                   (#"{"ticket_id":"unknown","verdict":"reject","reason":"wrong"}"#, .notFound)] {
                try await client.execute(uri: "/v1/feedback", method: .post, headers: Self.headers(s.agent),
                                         body: ByteBuffer(string: body)) { #expect($0.status == status, "\(body)") }
            }
            // Concurrent feedback on one ticket: both are stored, none lost.
            let ticket = ticketID
            try await withThrowingTaskGroup(of: Void.self) { group in
                for verdict in ["accept", "reject"] {
                    group.addTask {
                        try await client.execute(uri: "/v1/feedback", method: .post, headers: Self.headers(s.agent),
                                                 body: ByteBuffer(string: #"{"ticket_id":"\#(ticket)","verdict":"\#(verdict)"}"#)) {
                            #expect($0.status == .created)
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await client.execute(uri: "/metrics", method: .get, headers: Self.headers(s.agent)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/metrics", method: .get, headers: Self.headers(s.admin)) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("assistant_decisions_total{decision=\"answer\"} 1") && text.contains("assistant_request_seconds_count"))
                #expect(text.contains("assistant_ticket_languages_total{language=\"english\"} 1"), "\(text)")
            }
        }
        let feedback = try await s.service.store.secure.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM feedback") }
        #expect(feedback == 4)
        #expect(try s.service.store.secure.audit.verify().isIntact)
    }

    @Test func rateLimitAndRevokedTokens() async throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        var configuration = ServerConfiguration()
        configuration.requestsPerMinute = 2
        let app = buildApplication(configuration, service: s.service)
        try await app.test(.router) { client in
            for expected in [HTTPResponse.Status.ok, .ok, .tooManyRequests] {
                try await client.execute(uri: "/v1/articles/kb-freeze-card", method: .get, headers: Self.headers(s.agent)) {
                    #expect($0.status == expected)
                }
            }
            #expect(try s.service.store.revokeToken(name: "admin", actor: "test"))
            try await client.execute(uri: "/metrics", method: .get, headers: Self.headers(s.admin)) { #expect($0.status == .unauthorized) }
        }
    }
}
