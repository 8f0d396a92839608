import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceSupport
import Testing

/// The error answers of `ServiceRouter`: JSON 404s and 405s (with `Allow`), body decoding errors
/// in the service's own words with stable codes, and `Retry-After` on every 429 and 503.
@Suite(.timeLimit(.minutes(1)))
struct ErrorResponseTests {
    @Test func unknownPathsAndWrongMethodsAnswerJSON() async throws {
        try await TestService().application().test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound && TestService.code(response.body) == "not_found")
                #expect(response.headers[.contentType] == "application/json")
            }
            try await client.execute(uri: "/healthz", method: .post) { response in
                #expect(response.status == .methodNotAllowed && TestService.code(response.body) == "method_not_allowed")
                #expect(response.headers[.allow] == "GET, HEAD")
                #expect(response.headers[.contentType] == "application/json")
            }
            try await client.execute(uri: "/echo", method: .get) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/fail/404", method: .delete) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "GET, HEAD")
            }
            try await client.execute(uri: "/healthz", method: .head) { #expect($0.status == .ok) }
        }
    }

    @Test(arguments: [
        ("[1, 2]", "invalid_json", "body must be a JSON object"),
        ("{nope", "invalid_json", "body is not valid JSON"),
        ("", "invalid_json", "body is empty; send a JSON object"),
        ("null", "invalid_json", "body must be a JSON object"),
        ("{}", "missing_field", "field 'text' is missing"),
        (#"{"text": 5}"#, "wrong_type", "field 'text' must be a string"),
        (#"{"text": null}"#, "wrong_type", "field 'text' must be a string"),
        (#"{"text": {"a": 1}}"#, "wrong_type", "field 'text' must be a string"),
        (#"{"text": "a", "count": "many"}"#, "wrong_type", "field 'count' must be a number"),
        (#"{"text": "a", "tags": "one"}"#, "wrong_type", "field 'tags' must be an array"),
        (#"{"text": "a", "tags": ["x", 1]}"#, "wrong_type", "field 'tags[1]' must be a string"),
        (#"{"text": "a", "verdict": "maybe"}"#, "invalid_value", "field 'verdict' has an invalid value"),
        (#"{"text": "a", "count": 1.5}"#, "invalid_value", "a number does not fit its field (a fraction, or out of range)"),
    ])
    func malformedBodiesGetStableCodesAndPlainMessages(body: String, code: String, message: String) async throws {
        try await TestService().application().test(.router) { client in
            try await client.execute(uri: "/echo", method: .post, headers: TestService.bearer("u"), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                #expect(TestService.code(response.body) == code)
                #expect(TestService.message(response.body) == message)
                let text = String(buffer: response.body)
                for leak in ["Dictionary", "Swift", "Expected", "''", "maybe", "many", "debugDescription"] {
                    #expect(!text.contains(leak), "\(text)")
                }
            }
        }
    }

    @Test func fieldPathsNeverEchoAClientsKeys() {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int?
            init(stringValue: String) { self.stringValue = stringValue }
            init(intValue: Int) { self.stringValue = "Index \(intValue)"; self.intValue = intValue }
        }
        let error = DecodingError.typeMismatch(String.self, .init(codingPath: [Key(stringValue: "notes"), Key(stringValue: "Jane Doe's card"),
                                                                             Key(intValue: 3)], debugDescription: "Jane"))
        #expect(error.serviceError.message == "field 'notes.?[3]' must be a string")
        #expect(error.serviceError.code == .wrongType)
    }

    @Test func everyTooManyRequestsAndUnavailableAnswerCarriesRetryAfter() async throws {
        var configuration = TestService.loopback
        configuration.requestsPerMinute = 4
        let service = TestService(configuration: configuration, executor: InferenceExecutor(.init(workers: 1, queueLimit: 0, retryAfterSeconds: 4)))
        let gate = DispatchSemaphore(value: 0)
        try await service.application().test(.router) { client in
            try service.executor.enqueue { gate.wait() }  // the one worker is busy, no queue: full
            try await client.execute(uri: "/slow", method: .post, headers: TestService.bearer("u")) { response in
                #expect(response.status == .serviceUnavailable && TestService.code(response.body) == "overloaded")
                #expect(response.headers[.retryAfter] == "4")
            }
            for status in [503, 429] {  // a framework error of these statuses too
                try await client.execute(uri: "/fail/\(status)", method: .get, headers: TestService.bearer("u")) { response in
                    #expect(response.status.code == status)
                    #expect(response.headers[.retryAfter] == "1")
                }
            }
            gate.signal()
            service.executor.close()
            try await client.execute(uri: "/slow", method: .post, headers: TestService.bearer("u")) { response in
                #expect(response.status == .serviceUnavailable && TestService.code(response.body) == "shutting_down")
                #expect(response.headers[.retryAfter] == "1")
            }
            // Over the rate (a minute ending meanwhile resets the count once, hence several tries).
            var limited: TestResponse?
            for _ in 0..<10 where limited == nil {
                let response = try await client.execute(uri: "/fail/500", method: .get, headers: TestService.bearer("u")) { $0 }
                if response.status == .tooManyRequests { limited = response }
            }
            let response = try #require(limited)
            #expect(TestService.code(response.body) == "rate_limited")
            #expect((Int(response.headers[.retryAfter] ?? "") ?? 0) >= 1)
        }
    }
}
