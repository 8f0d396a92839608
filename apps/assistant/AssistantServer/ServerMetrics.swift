import Foundation
import Synchronization

/// Request counters and latencies in Prometheus text format (`GET /metrics`).
public final class ServerMetrics: Sendable {
    private struct State {
        var requests: [String: Int] = [:]          // "route|status"
        var latencyBuckets: [Double: Int] = [:]    // upper bound (s) → count
        var latencySum = 0.0
        var latencyCount = 0
        var decisions: [String: Int] = [:]         // answer / escalate
    }

    static let buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let state = Mutex(State())

    public init() {}

    func record(route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests["\(route)|\(status)", default: 0] += 1
            for bound in Self.buckets where seconds <= bound { s.latencyBuckets[bound, default: 0] += 1 }
            s.latencySum += seconds
            s.latencyCount += 1
        }
    }

    func recordDecision(_ decision: String) {
        state.withLock { $0.decisions[decision, default: 0] += 1 }
    }

    public func render() -> String {
        state.withLock { s in
            var out = "# HELP assistant_requests_total HTTP requests by route and status.\n# TYPE assistant_requests_total counter\n"
            for (key, n) in s.requests.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "|")
                out += "assistant_requests_total{route=\"\(parts[0])\",status=\"\(parts[1])\"} \(n)\n"
            }
            out += "# HELP assistant_request_seconds Request latency.\n# TYPE assistant_request_seconds histogram\n"
            for bound in Self.buckets { out += "assistant_request_seconds_bucket{le=\"\(bound)\"} \(s.latencyBuckets[bound] ?? 0)\n" }
            out += "assistant_request_seconds_bucket{le=\"+Inf\"} \(s.latencyCount)\n"
            out += "assistant_request_seconds_sum \(s.latencySum)\nassistant_request_seconds_count \(s.latencyCount)\n"
            let answered = s.decisions["answer"] ?? 0, escalated = s.decisions["escalate"] ?? 0
            out += "# HELP assistant_decisions_total Answers and escalations.\n# TYPE assistant_decisions_total counter\n"
            out += "assistant_decisions_total{decision=\"answer\"} \(answered)\nassistant_decisions_total{decision=\"escalate\"} \(escalated)\n"
            let rate = answered + escalated > 0 ? Double(escalated) / Double(answered + escalated) : 0
            out += "# HELP assistant_escalation_rate Share of decisions that escalated.\n# TYPE assistant_escalation_rate gauge\n"
            out += "assistant_escalation_rate \(rate)\n"
            return out
        }
    }
}
