import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceSupport
import Testing

/// Metric labels come from route patterns only: random paths — unknown ones, ids under a known
/// pattern, query strings — add no label values.
@Suite(.timeLimit(.minutes(1)))
struct RouteLabelTests {
    /// The `route` label values of the requests counter.
    static func routes(_ exposition: String) -> Set<String> {
        Set(exposition.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("test_requests_total{"), let match = line.firstMatch(of: /route="([^"]*)"/) else { return nil }
            return String(match.1)
        })
    }

    @Test func hundredRandomUnauthenticatedPathsAddNoLabelValues() async throws {
        let service = TestService()
        try await service.application().test(.router) { client in
            var generator = SystemRandomNumberGenerator()
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            for n in 0..<100 {
                let random = String(UInt64.random(in: .min ... .max, using: &generator), radix: 36)
                let uri = switch n % 4 {
                case 0: "/\(random)"
                case 1: "/\(random)/deeper/\(n)"
                case 2: "/fail/\(random)"
                default: "/echo?\(random)=1"
                }
                try await client.execute(uri: uri, method: n % 3 == 0 ? .post : .get) { response in
                    #expect([401, 404, 405].contains(response.status.code), "\(uri)")
                }
            }
        }
        let exposition = service.metrics.render()
        #expect(Self.routes(exposition) == ["/healthz", "unmatched", "/fail/{code}", "/echo"])
        #expect(exposition.split(separator: "\n").filter { $0.hasPrefix("test_requests_total{") }.count <= 8)
    }
}
