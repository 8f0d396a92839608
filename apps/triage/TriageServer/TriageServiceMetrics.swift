import CoreMetrics
public import DICOMNetwork
public import DICOMService
import Foundation
public import ServiceSupport
public import TriageCore

/// `triage serve`'s metrics for `GET /metrics`: the shared request metrics (`triage_requests_total`,
/// …) plus the receiver's and the scorer's, as swift-metrics instruments exported by
/// swift-prometheus:
/// - `triage_instances_total{outcome}`: C-STORE outcomes (`stored`, `duplicate`, `refused`);
/// - `triage_spool_instances`, `triage_spool_bytes`: what waits to be scored;
/// - `triage_studies_total{result}`: drain results (`scored`, `not_assessable`, `failed`);
/// - `triage_verdicts_total{urgency}`: scored images by the model's urgency;
/// - `triage_not_assessable_total{reason}`: refused images by reason (a bounded set);
/// - `triage_score`: histogram of the calibrated scores (buckets of 0.1), for drift monitoring;
/// - `triage_associations_total{result}`: DICOM associations `accepted`, `rejected`, `aborted`;
/// - `triage_receipt_to_verdict_seconds`: from the C-STORE answer to the stored verdict;
/// - `triage_scoring_round_seconds`: one drain round.
public final class TriageServiceMetrics: Sendable {
    public let service: ServiceMetrics
    private let spoolInstances: Gauge
    private let spoolBytes: Gauge
    private let receiptToVerdict: CoreMetrics.Timer
    private let round: CoreMetrics.Timer
    private let score: Recorder

    public init() {
        service = ServiceMetrics(prefix: "triage", valueHistogramBuckets: ["triage_score": (1...10).map { Double($0) / 10 }])
        score = Recorder(label: "triage_score", factory: service.factory)
        spoolInstances = Gauge(label: "triage_spool_instances", factory: service.factory)
        spoolBytes = Gauge(label: "triage_spool_bytes", factory: service.factory)
        receiptToVerdict = CoreMetrics.Timer(label: "triage_receipt_to_verdict_seconds", preferredDisplayUnit: .seconds, factory: service.factory)
        round = CoreMetrics.Timer(label: "triage_scoring_round_seconds", preferredDisplayUnit: .seconds, factory: service.factory)
        for outcome in ["stored", "duplicate", "refused"] { instances(outcome).increment(by: 0) }
        for result in ["scored", "not_assessable", "failed"] { studies(result).increment(by: 0) }
    }

    private func instances(_ outcome: String) -> Counter {
        Counter(label: "triage_instances_total", dimensions: [("outcome", outcome)], factory: service.factory)
    }

    private func studies(_ result: String) -> Counter {
        Counter(label: "triage_studies_total", dimensions: [("result", result)], factory: service.factory)
    }

    func recordStore(_ status: StoreStatus) {
        switch status {
        case .success: instances("stored").increment()
        case .duplicate: instances("duplicate").increment()
        case .outOfResources, .cannotUnderstand: instances("refused").increment()
        }
    }

    /// Counts one association outcome (`DICOMServer`'s events).
    public func recordAssociation(_ event: AssociationEvent) {
        let result = switch event {
        case .accepted: "accepted"
        case .rejected: "rejected"
        case .aborted: "aborted"
        }
        Counter(label: "triage_associations_total", dimensions: [("result", result)], factory: service.factory).increment()
    }

    func recordSpool(_ depth: (instances: Int, bytes: Int64)) {
        spoolInstances.record(depth.instances)
        spoolBytes.record(depth.bytes)
    }

    func recordRound(_ round: SpoolDrain.Round, seconds: Double) {
        studies("scored").increment(by: round.summary.scored)
        studies("not_assessable").increment(by: round.summary.notAssessable)
        studies("failed").increment(by: round.summary.failed)
        for study in round.studies {
            switch study.status {
            case .scored:
                Counter(label: "triage_verdicts_total", dimensions: [("urgency", study.urgency?.rawValue ?? "none")], factory: service.factory)
                    .increment()
                if let value = study.score { score.record(value) }
            case .notAssessable:
                Counter(label: "triage_not_assessable_total", dimensions: [("reason", study.reason ?? "unknown")], factory: service.factory)
                    .increment()
            default: break
            }
        }
        for arrival in round.arrivals { receiptToVerdict.recordNanoseconds(Int64(max(0, -arrival.timeIntervalSinceNow) * 1e9)) }
        self.round.recordNanoseconds(Int64(seconds * 1e9))
    }
}
