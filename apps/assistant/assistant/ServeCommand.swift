import ArgumentParser
import AssistantCore
import AssistantServer
import CommandLineSupport
import Foundation
import Logging
import ModelRuntime
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
            (default --threads: the cores divided by --workers). SIGINT/SIGTERM shut it down gracefully (in-flight \
            requests finish). Documentation: docs/HTTP-API.md.
            """)

    @Option var host = "127.0.0.1"
    @Option var port = 8080
    @Option(name: .customLong("max-body"), help: "Largest request body in bytes.") var maxBody = 64 * 1024
    @Option(help: "Requests per minute and token.") var rate = 600
    @Option(help: "Inference worker threads (model calls, store writes).") var workers = 1
    @Option(name: .customLong("queue-limit"), help: "Requests that may wait for a busy worker; more get 503.") var queueLimit = 32
    @OptionGroup var options: AnswererOptions

    func validate() throws {
        if !(1...65535).contains(port) { throw ValidationError("--port must be 1...65535") }
        if maxBody < 1 || rate < 1 { throw ValidationError("--max-body and --rate must be positive") }
        if workers < 1 || workers > ComputeThreads.available {
            throw ValidationError("--workers must be 1...\(ComputeThreads.available) (the cores)")
        }
        if queueLimit < 0 { throw ValidationError("--queue-limit must not be negative") }
        if let threads = options.threadOptions.threads, threads * workers > ComputeThreads.available {
            throw ValidationError("--workers × --threads must not exceed the \(ComputeThreads.available) cores")
        }
    }

    func run() async throws {
        let (answerer, index, assistantStore) = try options.makeAnswerer()
        // Each worker runs BLAS on its own threads: share the cores out instead of oversubscribing them.
        if options.threadOptions.threads == nil { ComputeThreads.set(max(1, ComputeThreads.available / workers)) }
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "assistant")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maximumBodyBytes = maxBody
        configuration.requestsPerMinute = rate
        configuration.executor = InferenceExecutor.Configuration(workers: workers, queueLimit: queueLimit)
        let app = buildApplication(configuration, service: AssistantService(answerer: answerer, index: index, store: assistantStore),
                                   logger: logger)
        printError("assistant: serving on http://\(host):\(port) (\(workers) worker(s) × \(ComputeThreads.current) BLAS thread(s), queue limit \(queueLimit))")
        try await ServiceRunner.run([app], logger: logger)
        printError("assistant: stopped (in-flight requests finished)")
    }
}
