import AssistantCore
import AuditLog
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import RecordStore
import ServiceSupport
import TestSupport
import Testing
@testable import AssistantServer

/// The assistant's routes at the edge: refused tokens audited in summaries in the store's
/// audit trail, body errors with stable codes on the real routes, 405s with `Allow`.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"), .timeLimit(.minutes(2)))
struct HTTPEdgeTests {
    /// The store's `auth` entries about HTTP clients.
    static func refusalEntries(_ s: APITests.Setup) async throws -> [AuditEntry] {
        try await s.service.store.secure.database.read { db in
            try AuditEntry.filter(Column("action") == "auth" && Column("object_type") == "http_client").order(Column("seq")).fetchAll(db)
        }
    }

    static func details(_ entry: AuditEntry) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(entry.details.utf8))) as? [String: Any] ?? [:]
    }

    @Test func refusedTokensAreAuditedInBoundedSummaries() async throws {
        let s = try APITests.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        let app = buildApplication(ServerConfiguration(), service: s.service)
        try await app.test(.router) { client in
            // A single refusal is audited at once (by the auditor's task, through the executor).
            try await client.execute(uri: "/v1/answer", method: .post, headers: APITests.headers("ast_single-secret"),
                                     body: ByteBuffer(string: #"{"text":"hi"}"#)) { #expect($0.status == .unauthorized) }
            let deadline = ContinuousClock.now + .seconds(10)
            while try await Self.refusalEntries(s).isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let first = try await Self.refusalEntries(s)
            #expect(first.count == 1 && first.first.map(Self.details)?["refusals"] as? Int == 1)

            // A flood of 500 bad tokens waits for the window (60 s) or shutdown.
            for n in 0..<500 {
                try await client.execute(uri: "/v1/classify", method: .post, headers: APITests.headers("ast_flood-secret-\(n)"),
                                         body: ByteBuffer(string: #"{"text":"hi"}"#)) { #expect($0.status == .unauthorized) }
            }
            try await client.execute(uri: "/metrics", method: .get, headers: APITests.headers(s.agent)) { #expect($0.status == .forbidden) }
        }
        // Graceful shutdown wrote what was still counted.
        let entries = try await Self.refusalEntries(s)
        let unauthorized = entries.filter { Self.details($0)["status"] as? Int == 401 }
        let forbidden = entries.filter { Self.details($0)["status"] as? Int == 403 }
        #expect(unauthorized.count == 2 && forbidden.count == 1)
        #expect(unauthorized.map { Self.details($0)["refusals"] as? Int ?? 0 }.reduce(0, +) == 501)
        #expect(unauthorized.allSatisfy { $0.outcome == "failure" && $0.actor == "api:?" && $0.objectID == "client-unknown" })
        #expect(forbidden.first?.outcome == "denied" && forbidden.first?.actor == "api:agent")
        for entry in entries {
            #expect(Self.details(entry)["window_seconds"] as? Int == 60)
            let text = "\(entry.actor) \(entry.objectID) \(entry.details)"
            #expect(!text.contains("secret") && !text.contains(s.agent))
        }
        #expect(try s.service.store.secure.audit.verify().isIntact)
    }

    @Test func bodyErrorsOnTheRealRoutes() async throws {
        let s = try APITests.setup()
        defer { try? FileManager.default.removeItem(at: s.home) }
        let app = buildApplication(ServerConfiguration(), service: s.service)
        try await app.test(.router) { client in
            for (uri, body, code, message) in [
                ("/v1/answer", "[]", "invalid_json", "body must be a JSON object"),
                ("/v1/answer", #"{"txt": "hi"}"#, "missing_field", "field 'text' is missing"),
                ("/v1/classify", #"{"text": ["hi"]}"#, "wrong_type", "field 'text' must be a string"),
                ("/v1/feedback", #"{"ticket_id": "t", "verdict": "maybe"}"#, "invalid_value", "field 'verdict' has an invalid value"),
                ("/v1/feedback", #"{"verdict": "accept"}"#, "missing_field", "field 'ticket_id' is missing"),
            ] {
                try await client.execute(uri: uri, method: .post, headers: APITests.headers(s.agent), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest, "\(uri) \(body)")
                    let error = APITests.json(response.body)["error"] as? [String: Any]
                    #expect(error?["code"] as? String == code && error?["message"] as? String == message, "\(uri) \(body)")
                }
            }
            try await client.execute(uri: "/v1/answer", method: .get, headers: APITests.headers(s.agent)) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "POST")
                #expect((APITests.json(response.body)["error"] as? [String: Any])?["code"] as? String == "method_not_allowed")
            }
            try await client.execute(uri: "/v1/articles/kb-freeze-card", method: .delete, headers: APITests.headers(s.agent)) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "GET, HEAD")
            }
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                #expect(response.status == .notFound && ServiceLayerTests.errorCode(response.body) == "not_found")
            }
        }
    }
}
