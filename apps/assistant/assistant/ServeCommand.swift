import ArgumentParser
import AssistantCore
import AssistantServer
import CommandLineSupport
import Foundation
import Logging
import ModelRuntime
import RecordStore
import ServiceSupport

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service: POST /v1/answer, /v1/classify, /v1/feedback; GET /v1/articles/{id}, /healthz, /metrics.",
        discussion: """
            Every route but /healthz needs `Authorization: Bearer <token>` (create one with `assistant tokens create`); \
            /metrics needs an admin token. Bodies over --max-body bytes get 413, more than --rate requests per minute \
            and token get 429. Model calls and store writes run on --workers threads; when --queue-limit requests \
            already wait for one, more get 503 with Retry-After. Workers × --threads must not exceed the cores \
            (default --threads: the cores divided by --workers). A connection must send its first request head \
            within --header-timeout seconds and is closed after --idle-timeout seconds without progress; one client \
            address may hold --max-connections-per-client connections. HTTPS with --tls-cert and --tls-key (PEM). \
            Logs are JSON lines on standard error. SIGINT/SIGTERM shut it down gracefully (in-flight requests \
            finish). Documentation: docs/HTTP-API.md.
            """)

    @Option var host = "127.0.0.1"
    @Option(help: "TCP port; 0 picks a free one (printed once serving).") var port = 8080
    @Option(name: .customLong("max-body"), help: "Largest request body in bytes.") var maxBody = 64 * 1024
    @Option(help: "Requests per minute and token.") var rate = 600
    @Option(help: "Inference worker threads (model calls, store writes).") var workers = 1
    @Option(name: .customLong("queue-limit"), help: "Requests that may wait for a busy worker; more get 503.") var queueLimit = 32
    @Option(name: .customLong("header-timeout"), help: "Seconds a new connection has to send its first request head.")
    var headerTimeout = 10.0
    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may stay without progress before it is closed.")
    var idleTimeout = 60.0
    @Option(name: .customLong("max-connections-per-client"), help: "Open connections per client IP address; more are closed at once.")
    var maxConnectionsPerClient = 64
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "file"))
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?
    @OptionGroup var options: AnswererOptions

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535") }
        if maxBody < 1 || rate < 1 { throw ValidationError("--max-body and --rate must be positive") }
        if workers < 1 || workers > ComputeThreads.available {
            throw ValidationError("--workers must be 1...\(ComputeThreads.available) (the cores)")
        }
        if queueLimit < 0 { throw ValidationError("--queue-limit must not be negative") }
        if let threads = options.threadOptions.threads, threads * workers > ComputeThreads.available {
            throw ValidationError("--workers × --threads must not exceed the \(ComputeThreads.available) cores")
        }
        for timeout in [headerTimeout, idleTimeout] where !(timeout > 0 && timeout <= 86_400) {
            throw ValidationError("--header-timeout and --idle-timeout must be 0 < seconds ≤ 86400")
        }
        if maxConnectionsPerClient < 1 { throw ValidationError("--max-connections-per-client must be positive") }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    func run() async throws {
        var configuration = ServerConfiguration()
        if let tlsCertificate, let tlsKey {  // checked before the model loads
            do {
                configuration.tls = try TLSCredentials(certificatePath: tlsCertificate, privateKeyPath: tlsKey)
            } catch {
                throw ValidationError("--tls-cert/--tls-key: \(error)")
            }
        }
        let (answerer, index, assistantStore, parts, registered) = try options.makeAnswerer()
        // Each worker runs BLAS on its own threads: share the cores out instead of oversubscribing them.
        if options.threadOptions.threads == nil { ComputeThreads.set(max(1, ComputeThreads.available / workers)) }
        LoggingSystem.bootstrap { JSONLogHandler.standardError(label: $0) }
        var logger = Logger(label: "assistant")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        configuration.host = host
        configuration.port = port
        configuration.headerTimeout = .milliseconds(Int64((headerTimeout * 1000).rounded()))
        configuration.idleTimeout = .milliseconds(Int64((idleTimeout * 1000).rounded()))
        configuration.maximumConnectionsPerClient = maxConnectionsPerClient
        configuration.maximumBodyBytes = maxBody
        configuration.requestsPerMinute = rate
        configuration.executor = InferenceExecutor.Configuration(workers: workers, queueLimit: queueLimit)
        let summary = "\(workers) worker(s) × \(ComputeThreads.current) BLAS thread(s), queue limit \(queueLimit)"
        var service = AssistantService(answerer: answerer, index: index, store: assistantStore)
        if let registered {
            // Serving the registry's active version: a promotion or rollback is picked up without a restart.
            let follower = ActiveModelFollower(registry: assistantStore.models, initial: answerer, versionID: registered,
                                               load: { id, folder in try AnswererOptions.answerer(parts, classifierFolder: folder, registeredID: id) },
                                               report: { [logger] in logger.notice("\($0)") })
            service = AssistantService(answerers: { follower.current() }, index: index, store: assistantStore)
        }
        let app = buildApplication(configuration, service: service, logger: logger) { [configuration] boundPort in
            // Only now: a port that cannot be bound fails the run before anything says "serving".
            printError("assistant: serving on \(configuration.url(port: boundPort)) (\(summary))")
        }
        try await ServiceRunner.run([app], address: "\(host):\(port)", logger: logger)
        printError("assistant: stopped (in-flight requests finished)")
    }
}
