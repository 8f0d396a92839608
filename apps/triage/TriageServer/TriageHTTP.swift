public import Hummingbird
public import Logging
import RecordStore
public import ServiceSupport
public import TriageCore

/// What the HTTP routes of `triage serve` work with.
public struct TriageHTTPService: Sendable {
    public let store: StudyStore
    /// Where STOW-RS instances go (the receiver's spool).
    public let spool: InstanceSpool
    /// The SOP classes STOW-RS accepts: those of the DICOM receiver.
    public let acceptedSOPClasses: Set<String>
    /// The model's input spec: which part of a thumbnail its heatmap covers.
    public let view: TriageModelSpec.Input
    public let metrics: TriageServiceMetrics

    public init(store: StudyStore, spool: InstanceSpool, acceptedSOPClasses: Set<String>, view: TriageModelSpec.Input,
                metrics: TriageServiceMetrics) {
        self.store = store
        self.spool = spool
        self.acceptedSOPClasses = acceptedSOPClasses
        self.view = view
        self.metrics = metrics
    }
}

extension StudyStore.Role {
    /// The roles a token of this role holds: an admin holds them all.
    var grantedRoles: Set<StudyStore.Role> {
        switch self {
        case .modality: [.modality]
        case .reader: [.reader]
        case .admin: [.modality, .reader, .admin]
        }
    }
}

/// The HTTP side of `triage serve`: `GET /healthz` (no token); modalities `POST /dicomweb/studies`
/// (STOW-RS, `StowRS`); readers `GET /v1/worklist`,
/// `GET /v1/studies/{id}`, `GET /v1/studies/{id}/heatmap.png`, `POST /v1/studies/{id}/read`;
/// admins also `GET /metrics`. `configuration.maximumBodyBytes` bounds a STOW-RS body (held in
/// memory while its parts are spooled); JSON bodies are limited to 64 KiB. The middleware, the 404s and 405s, timeouts, connection limits and
/// TLS come from `ServiceRouter` (apps/ServiceSupport), as for `assistant serve`.
public func buildTriageApplication(_ configuration: ServiceConfiguration, service: TriageHTTPService, drain: DrainMonitor? = nil,
                                   logger: Logger,
                                   onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in })
    -> some ApplicationProtocol
{
    let serviceMetrics = service.metrics.service
    let executor = InferenceExecutor(configuration.executor) { serviceMetrics.recordQueueDepth($0.waiting) }
    let store = service.store
    let refusals = RefusedAuthenticationAudit.auditor(executor: executor, intervalSeconds: configuration.refusalAuditIntervalSeconds,
                                                      append: store.secure.auditRefusedAuthentication)
    let drain = drain ?? DrainMonitor(metrics: serviceMetrics, logger: logger)
    let routes = ServiceRouter<StudyStore.Role>(configuration: configuration, metrics: serviceMetrics, drain: drain, refusals: refusals,
                                                errors: { _ in nil }) { secret in
        try store.tokens.authenticate(secret).map { TokenIdentity(name: $0.name, roles: $0.role.grantedRoles) }
    }
    let studies = StudyRoutes(store: store, view: service.view, metrics: service.metrics, executor: executor,
                              maximumBodyBytes: min(configuration.maximumBodyBytes, 64 * 1024))
    StowRS(spool: service.spool, acceptedSOPClasses: service.acceptedSOPClasses, metrics: service.metrics, executor: executor)
        .add(to: routes.api.group().add(middleware: requireRole(StudyStore.Role.modality)))
    studies.addReaderRoutes(to: routes.api.group().add(middleware: requireRole(StudyStore.Role.reader)))
    studies.addAdminRoutes(to: routes.api.group().add(middleware: requireRole(StudyStore.Role.admin)))
    return routes.application(configuration: configuration, serverName: "triage", services: [executor, refusals], logger: logger,
                              onServerRunning: onServerRunning)
}
