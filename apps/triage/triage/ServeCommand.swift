import ArgumentParser
import CommandLineSupport
import DICOMNetwork
import DICOMService
import Foundation
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
            are JSON lines on standard error; SIGINT/SIGTERM stop it gracefully. Documentation: docs/SERVICE.md.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var model: TriageModelOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(name: .customLong("dicom-port"), help: "DICOM TCP port; 0 picks a free one (printed once listening).") var dicomPort = 11112
    @Option(name: .customLong("http-port"), help: "HTTP port of the worklist API; 0 picks a free one (printed once serving).")
    var httpPort = 8081
    @Option(name: .customLong("ae-title"), help: "Our AE title: associations calling another are rejected.") var aeTitle = "TRIAGE"
    @Option(name: .customLong("allow-calling"), help: ArgumentHelp("A calling AE title allowed to associate (repeatable).", valueName: "AE"))
    var allowCalling: [String] = []
    @Option(name: .customLong("spool-quota-mb"), help: "Most megabytes (MiB) of instances waiting in the spool.") var spoolQuotaMB = 10_240
    @Option(name: .customLong("max-associations"), help: "Associations open at once; more are rejected (transient).")
    var maxAssociations = 16
    @Option(name: .customLong("max-instance-mb"), help: "Largest instance accepted by C-STORE, and largest STOW-RS request, in MiB.")
    var maxInstanceMB = 256
    @Option(help: "Decoding threads of the scoring rounds (default: half the cores).") var workers: Int?
    @Option(help: "BLAS threads of the scoring rounds (default: cores / workers).") var threads: Int?

    func validate() throws {
        if !(0...65535).contains(dicomPort) || !(0...65535).contains(httpPort) {
            throw ValidationError("--dicom-port and --http-port must be 0...65535")
        }
        for title in [aeTitle] + allowCalling where !AETitle.isValid(title) {
            throw ValidationError("AE title '\(title)': 1–16 characters, no backslash or control characters, not only spaces")
        }
        if spoolQuotaMB < 1 || maxAssociations < 1 || maxInstanceMB < 1 {
            throw ValidationError("--spool-quota-mb, --max-associations and --max-instance-mb must be positive")
        }
        do { _ = try ComputePlan(workers: workers, threads: threads, cores: ComputeThreads.available) } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let model = try model.load()
        let location = store.location(product: StudyStore.product)
        let studies = try StudyStore(location: location)
        let spool = try InstanceSpool(folder: location.home.appendingPathComponent("spool"), quotaBytes: Int64(spoolQuotaMB) << 20,
                                      store: studies)
        LoggingSystem.bootstrap { JSONLogHandler.standardError(label: $0) }
        var logger = Logger(label: "triage")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        if allowCalling.isEmpty {
            logger.warning("no --allow-calling list: any calling AE title may store instances")
        }
        let plan = try ComputePlan(workers: workers, threads: threads, cores: ComputeThreads.available)
        let drain = SpoolDrain(spool: spool, model: model, options: BatchRunner.Options(plan: plan, actor: "service:triage"))
        let acceptor = AcceptorConfiguration(aeTitle: aeTitle, callingAETitles: allowCalling.isEmpty ? nil : Set(allowCalling),
                                             abstractSyntaxes: StorageSOPClasses.abstractSyntaxes,
                                             maximumMessageLength: maxInstanceMB << 20)
        let dicom = DICOMServer.Configuration(acceptor: acceptor, host: host, port: dicomPort, maximumAssociations: maxAssociations)
        let metrics = TriageServiceMetrics()
        let receiver = DICOMReceiver(configuration: dicom, spool: spool, loop: DrainLoop(drain: drain, metrics: metrics, logger: logger),
                                     metrics: metrics, logger: logger) { [host, aeTitle] port in
            printError("triage: DICOM receiver on \(host):\(port) as \(aeTitle) (store: \(location.home.path))")
        }
        var http = ServiceConfiguration()
        http.host = host
        http.port = httpPort
        http.maximumBodyBytes = maxInstanceMB << 20
        let app = buildTriageApplication(http, service: TriageHTTPService(store: studies, spool: spool, view: model.spec.input, metrics: metrics),
                                         logger: logger) { [http] port in
            printError("triage: serving HTTP on \(http.url(port: port))")
        }
        try await ServiceRunner.run([receiver, app], address: "\(host):\(httpPort)", logger: logger)
        printError("triage: stopped (stores under way finished; the spool keeps what is not scored yet)")
    }
}
