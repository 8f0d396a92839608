import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceSupport
import Testing

/// The access log: one JSON line per request with method, route pattern, status, duration and
/// request id — and nothing a client sent: a marker planted in the path, the query, a header,
/// the token and the body appears in no line.
@Suite(.timeLimit(.minutes(1)))
struct AccessLogTests {
    @Test func oneJSONLinePerRequestWithoutAnythingTheClientSent() async throws {
        let log = CapturedLog()
        var service = TestService()
        service.logger = log.logger()
        let marker = "PLANTED-7d1c"
        try await service.application().test(.router) { client in
            try await client.execute(uri: "/\(marker)/x", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/fail/\(marker)", method: .get, headers: TestService.bearer(marker)) {
                #expect($0.status == .unauthorized)
            }
            var headers = TestService.bearer("u")
            headers[.init("X-Note")!] = marker
            try await client.execute(uri: "/echo?note=\(marker)", method: .post, headers: headers,
                                     body: ByteBuffer(string: #"{"text": "\#(marker)"}"#)) { response in
                #expect(response.status == .ok && String(buffer: response.body) == marker)
            }
            try await client.execute(uri: "/echo", method: .post, headers: headers, body: ByteBuffer(string: #"{"text": 1, "\#(marker)": 2}"#)) {
                #expect($0.status == .badRequest)
            }
        }
        let lines = log.all
        #expect(!lines.isEmpty)
        for line in lines { #expect(!line.contains(marker), "\(line)") }
        let requests = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]) }
            .filter { $0["message"] == "request" }
        #expect(requests.map { $0["http.route"] } == ["unmatched", "/fail/{code}", "/echo", "/echo"])
        #expect(requests.map { $0["http.status"] } == ["404", "401", "200", "400"])
        #expect(requests.map { $0["http.method"] } == ["GET", "GET", "POST", "POST"])
        for request in requests {
            #expect(Double(request["duration_ms"] ?? "") != nil)
            #expect(request["hb.request.id"]?.isEmpty == false)
            #expect(request["level"] == "info" && request["logger"] == "test" && request["time"]?.hasSuffix("Z") == true)
        }
    }

    @Test func structuredMetadataStaysStructured() throws {
        let log = CapturedLog()
        log.logger(label: "x").warning("note", metadata: ["list": ["a", "b"], "map": ["k": "v"], "n": .stringConvertible(3)])
        let line = try #require(log.all.first)
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["list"] as? [String] == ["a", "b"])
        #expect(object["map"] as? [String: String] == ["k": "v"])
        #expect(object["n"] as? String == "3" && object["level"] as? String == "warning" && object["message"] as? String == "note")
        #expect(log.all.count == 1 && !line.contains("\n"))
    }
}
