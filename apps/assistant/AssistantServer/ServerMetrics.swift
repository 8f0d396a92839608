import AssistantCore
import CoreMetrics
import Foundation
public import ServiceSupport
import Synchronization

/// The assistant's metrics for `GET /metrics`: the shared request metrics
/// (`assistant_requests_total{route,status}`, `assistant_request_seconds`, …) plus its
/// decisions and the languages of the tickets (`assistant_ticket_languages_total{language}`:
/// `english` or a `LanguageDetector` name, a bounded set), all swift-metrics instruments
/// exported by swift-prometheus.
public final class ServerMetrics: Sendable {
    public let service: ServiceMetrics
    private let answered: Counter
    private let escalated: Counter
    private let escalationRate: Gauge
    private let counts = Mutex<(answered: Int, escalated: Int)>((0, 0))

    public init() {
        service = ServiceMetrics(prefix: "assistant")
        answered = Counter(label: "assistant_decisions_total", dimensions: [("decision", "answer")], factory: service.factory)
        escalated = Counter(label: "assistant_decisions_total", dimensions: [("decision", "escalate")], factory: service.factory)
        escalationRate = Gauge(label: "assistant_escalation_rate", dimensions: [], factory: service.factory)
        escalationRate.record(0)
    }

    /// Counts a decision and the ticket's language.
    func record(_ result: AnswerResult) {
        recordDecision(result.decision)
        if let language = result.language {
            Counter(label: "assistant_ticket_languages_total", dimensions: [("language", language)], factory: service.factory).increment()
        }
    }

    private func recordDecision(_ decision: AnswerResult.Decision) {
        switch decision {
        case .answer: answered.increment()
        case .escalate: escalated.increment()
        }
        let rate = counts.withLock { c -> Double in
            switch decision {
            case .answer: c.answered += 1
            case .escalate: c.escalated += 1
            }
            return Double(c.escalated) / Double(c.answered + c.escalated)
        }
        escalationRate.record(rate)
    }

    /// The Prometheus text exposition.
    func render() -> String { service.render() }
}
