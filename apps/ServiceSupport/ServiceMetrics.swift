import CoreMetrics
import Foundation
public import Hummingbird
import Metrics
public import Prometheus
import Synchronization

/// The metrics of one service, written with swift-metrics and exported by swift-prometheus from
/// the service's own registry (not the process-wide `MetricsSystem`, so several services or
/// tests in one process keep their counts apart). Names carry the product's prefix:
/// `<prefix>_requests_total{route,status}`, `<prefix>_request_seconds` (histogram),
/// `<prefix>_requests_in_flight`, `<prefix>_inference_queue_depth`,
/// `<prefix>_connections_closed_total{reason}` (`client_limit`, `header_timeout`). Products add
/// their own metrics through `factory`.
public final class ServiceMetrics: Sendable {
    public let prefix: String
    let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into `registry`: `Counter(label:dimensions:factory:)`.
    public let factory: PrometheusMetricsFactory
    let requestSeconds: CoreMetrics.Timer
    let inFlight: CoreMetrics.Gauge
    let queueDepth: CoreMetrics.Gauge
    let connectionsRefused: CoreMetrics.Counter
    let headerTimeouts: CoreMetrics.Counter
    private let counters = Mutex<[RequestKey: CoreMetrics.Counter]>([:])

    struct RequestKey: Hashable { let route: String; let status: Int }

    /// - Parameter valueHistogramBuckets: bucket bounds of a product's value histograms (a
    ///   `Recorder` with aggregation), by metric label; others get swift-prometheus's defaults.
    public init(prefix: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                valueHistogramBuckets: [String: [Double]] = [:]) {
        self.prefix = prefix
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets = valueHistogramBuckets
        self.factory = factory
        requestSeconds = CoreMetrics.Timer(label: "\(prefix)_request_seconds", dimensions: [], factory: factory)
        inFlight = CoreMetrics.Gauge(label: "\(prefix)_requests_in_flight", dimensions: [], factory: factory)
        queueDepth = CoreMetrics.Gauge(label: "\(prefix)_inference_queue_depth", dimensions: [], factory: factory)
        connectionsRefused = CoreMetrics.Counter(label: "\(prefix)_connections_closed_total", dimensions: [("reason", "client_limit")],
                                                 factory: factory)
        headerTimeouts = CoreMetrics.Counter(label: "\(prefix)_connections_closed_total", dimensions: [("reason", "header_timeout")],
                                             factory: factory)
        inFlight.record(0)
        queueDepth.record(0)
    }

    /// Counts one finished request under its route pattern (`/v1/articles/{id}`, never the raw
    /// path) and records its latency.
    func recordRequest(route: String, status: Int, nanoseconds: UInt64) {
        let counter = counters.withLock { c in
            if let counter = c[RequestKey(route: route, status: status)] { return counter }
            let counter = CoreMetrics.Counter(label: "\(prefix)_requests_total", dimensions: [("route", route), ("status", String(status))],
                                  factory: factory)
            c[RequestKey(route: route, status: status)] = counter
            return counter
        }
        counter.increment()
        requestSeconds.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    func recordInFlight(_ count: Int) { inFlight.record(count) }

    /// A connection closed at once: its client already held the most connections allowed.
    func recordConnectionRefused() { connectionsRefused.increment() }

    /// A connection closed because its first request head did not arrive in time.
    func recordHeaderTimeout() { headerTimeouts.increment() }

    /// The executor's waiting jobs (wire it to `InferenceExecutor`'s observer).
    public func recordQueueDepth(_ depth: Int) { queueDepth.record(depth) }

    /// The Prometheus text exposition format (version 0.0.4).
    public func render() -> String { registry.emitToString() }

    /// `GET /metrics`: the exposition as `text/plain; version=0.0.4`.
    public func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
}

/// Counts requests by route pattern and status and times them. Place it outside
/// `ServiceErrorMiddleware` so errors are counted with the status the client got.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    public init(metrics: ServiceMetrics) { self.metrics = metrics }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let route = context.endpointPath ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.recordRequest(route: route, status: Int(response.status.code), nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(route: route, status: Int(status), nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            throw error
        }
    }
}
