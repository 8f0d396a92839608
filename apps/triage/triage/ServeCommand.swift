import ArgumentParser
import CommandLineSupport
import DICOMNetwork
import DICOMService
import Foundation
import Imaging
import Logging
import ModelRuntime
import RecordStore
import ServiceSupport
import SuiteFoundation
import TriageCore
import TriageServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive studies over DICOM (C-ECHO, C-STORE), score them as they arrive, serve the worklist over HTTP.",
        discussion: """
            Listens on --dicom-port as --ae-title. Each instance a modality or PACS sends is sealed and written \
            durably to the spool in <home>/spool before its C-STORE is answered with success; a drain thread scores \
            the spool with the pipeline of `triage batch` (scope checks, score, sealed identity, audit) into the \
            store, where `triage worklist` shows it. A second copy of an instance is answered with warning B006; a \
            full spool (--spool-quota-mb) with A700, writing nothing. What a crash leaves in the spool is scored \
            first at the next start. With --allow-calling, only those calling AE titles may associate (others are \
            rejected, reason 3); without it any peer may store, and a warning says so. On --http-port: GET /healthz; \
            with a modality token POST /dicomweb/studies (STOW-RS, into the same spool); with a reader token (`triage tokens create --role reader`) GET /v1/worklist, /v1/studies/{id}, \
            /v1/studies/{id}/heatmap.png, POST /v1/studies/{id}/read; with an admin token also GET /metrics. Logs \
            are JSON lines on standard error; SIGINT/SIGTERM stop it gracefully. Settings come from the flags, then \
            --config FILE (YAML; an unknown key is an error naming it), then the defaults. Documentation: docs/SERVICE.md.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var model: TriageModelOptions
    @Option(help: ArgumentHelp("A YAML configuration file (docs/SERVICE.md); the flags below override it.", valueName: "file"))
    var config: String?
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(name: .customLong("dicom-port"), help: "DICOM TCP port (default 11112); 0 picks a free one (printed once listening).")
    var dicomPort: Int?
    @Option(name: .customLong("http-port"), help: "HTTP port (default 8081); 0 picks a free one (printed once serving).")
    var httpPort: Int?
    @Option(name: .customLong("ae-title"), help: "Our AE title (default TRIAGE): associations calling another are rejected.")
    var aeTitle: String?
    @Option(name: .customLong("allow-calling"), help: ArgumentHelp("A calling AE title allowed to associate (repeatable).", valueName: "AE"))
    var allowCalling: [String] = []
    @Option(name: .customLong("spool-quota-mb"), help: "Most MiB of instances waiting in the spool (default 10240).")
    var spoolQuotaMB: Int?
    @Option(name: .customLong("max-associations"), help: "Associations open at once (default 16); more are rejected (transient).")
    var maxAssociations: Int?
    @Option(name: .customLong("max-instance-mb"), help: "Largest C-STORE instance and STOW-RS request, in MiB (default 256).")
    var maxInstanceMB: Int?
    @Option(name: .customLong("quiet-seconds"),
            help: "Score a study once it has received nothing for this many seconds (default 0: each image as it arrives).")
    var quietSeconds: Double?
    @Option(help: "Decoding threads of the scoring rounds (default: half the cores).") var workers: Int?
    @Option(help: "BLAS threads of the scoring rounds (default: cores / workers).") var threads: Int?

    /// The settings in force: flags, then the configuration file, then the defaults.
    struct Settings {
        var host = "127.0.0.1", dicomPort = 11112, httpPort = 8081, aeTitle = "TRIAGE", allowCalling: [String] = []
        var spoolQuotaMB = 10_240, maxAssociations = 16, maxInstanceMB = 256
        var workers: Int?, threads: Int?
        var quietSeconds = 0.0
        var extraStorageSOPClasses: [String] = []
    }

    func settings() throws -> Settings {
        let file = try config.map { path in
            do { return try ServeConfigurationFile.read(URL(fileURLWithPath: path)) } catch { throw ValidationError("--config \(error)") }
        }
        var s = Settings()
        s.host = host ?? file?.host ?? s.host
        s.dicomPort = dicomPort ?? file?.dicom?.port ?? s.dicomPort
        s.httpPort = httpPort ?? file?.http?.port ?? s.httpPort
        s.aeTitle = aeTitle ?? file?.dicom?.aeTitle ?? s.aeTitle
        s.allowCalling = allowCalling.isEmpty ? file?.dicom?.allowCalling ?? [] : allowCalling
        s.spoolQuotaMB = spoolQuotaMB ?? file?.spool?.quotaMB ?? s.spoolQuotaMB
        s.maxAssociations = maxAssociations ?? file?.dicom?.maxAssociations ?? s.maxAssociations
        s.maxInstanceMB = maxInstanceMB ?? file?.dicom?.maxInstanceMB ?? s.maxInstanceMB
        s.workers = workers ?? file?.scoring?.workers
        s.threads = threads ?? file?.scoring?.threads
        s.quietSeconds = quietSeconds ?? file?.scoring?.quietPeriodSeconds ?? s.quietSeconds
        s.extraStorageSOPClasses = file?.dicom?.extraStorageSOPClasses ?? []
        let source = config.map { " (flags and \($0))" } ?? ""
        for uid in s.extraStorageSOPClasses where !(1...64).contains(uid.count) || !uid.allSatisfy({ $0 == "." || $0.isASCII && $0.isNumber }) {
            throw ValidationError("dicom.extra_storage_sop_classes: '\(uid)' is not a UID (digits and dots, 1-64 characters)\(source)")
        }
        if !(0...65535).contains(s.dicomPort) || !(0...65535).contains(s.httpPort) {
            throw ValidationError("the DICOM and HTTP ports must be 0...65535\(source)")
        }
        for title in [s.aeTitle] + s.allowCalling where !AETitle.isValid(title) {
            throw ValidationError("AE title '\(title)'\(source): 1–16 characters, no backslash or control characters, not only spaces")
        }
        if !(0...86_400).contains(s.quietSeconds) { throw ValidationError("the quiet period must be 0...86400 seconds\(source)") }
        if s.spoolQuotaMB < 1 || s.maxAssociations < 1 || s.maxInstanceMB < 1 {
            throw ValidationError("the spool quota, the association limit and the instance limit must be positive\(source)")
        }
        do { _ = try ComputePlan(workers: s.workers, threads: s.threads, cores: ComputeThreads.available) } catch {
            throw ValidationError("\(error)\(source)")
        }
        return s
    }

    func validate() throws { _ = try settings() }

    func run() async throws {
        let s = try settings()
        // Freed image buffers stay in malloc's arenas (AllocatorTuning): few arenas keep that bounded.
        AllocatorTuning.limitArenas(Int32(max(2, ComputeThreads.available)))
        let location = store.location(product: StudyStore.product)
        let studies = try StudyStore(location: location)
        let model = try model.load(registry: studies)
        let spool = try InstanceSpool(folder: location.home.appendingPathComponent("spool"), quotaBytes: Int64(s.spoolQuotaMB) << 20,
                                      store: studies)
        LoggingSystem.bootstrap { JSONLogHandler.standardError(label: $0) }
        var logger = Logger(label: "triage")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        if s.allowCalling.isEmpty {
            logger.warning("no calling-AE allow-list (--allow-calling or dicom.allow_calling): any calling AE title may store instances")
        }
        let plan = try ComputePlan(workers: s.workers, threads: s.threads, cores: ComputeThreads.available)
        var models: @Sendable () -> TriageModel = { model }
        if self.model.model == nil, model.id == (try studies.models.active())?.id {
            // Serving the registry's active version: a promotion or rollback is picked up without a restart.
            let follower = ActiveModelFollower(registry: studies.models, initial: model, versionID: model.id,
                                               load: { try TriageModel.load(version: $0, directory: $1) },
                                               report: { [logger] in logger.notice("\($0)") })
            models = { follower.current() }
        }
        let drain = SpoolDrain(spool: spool, models: models, options: BatchRunner.Options(plan: plan, actor: "service:triage"),
                               quietPeriod: s.quietSeconds)
        let acceptor = AcceptorConfiguration(aeTitle: s.aeTitle, callingAETitles: s.allowCalling.isEmpty ? nil : Set(s.allowCalling),
                                             abstractSyntaxes: StorageSOPClasses.abstractSyntaxes(extra: s.extraStorageSOPClasses),
                                             maximumMessageLength: s.maxInstanceMB << 20)
        var dicom = DICOMServer.Configuration(acceptor: acceptor, host: s.host, port: s.dicomPort, maximumAssociations: s.maxAssociations)
        let metrics = TriageServiceMetrics()
        dicom.onEvent = { metrics.recordAssociation($0) }
        let receiver = DICOMReceiver(configuration: dicom, spool: spool, loop: DrainLoop(drain: drain, metrics: metrics, logger: logger),
                                     metrics: metrics, logger: logger) { port in
            printError("triage: DICOM receiver on \(s.host):\(port) as \(s.aeTitle) (store: \(location.home.path))")
        }
        var http = ServiceConfiguration()
        http.host = s.host
        http.port = s.httpPort
        http.maximumBodyBytes = s.maxInstanceMB << 20
        let app = buildTriageApplication(http, service: TriageHTTPService(store: studies, spool: spool, acceptedSOPClasses: Set(acceptor.abstractSyntaxes.keys),
                                                                            view: model.spec.input, metrics: metrics),
                                         logger: logger) { [http] port in
            printError("triage: serving HTTP on \(http.url(port: port))")
        }
        try await ServiceRunner.run([receiver, app], address: "\(s.host):\(s.httpPort)", logger: logger)
        printError("triage: stopped (stores under way finished; the spool keeps what is not scored yet)")
    }
}
