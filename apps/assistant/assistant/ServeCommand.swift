import ArgumentParser
import AssistantCore
import AssistantServer
import CommandLineSupport
import Foundation
import Hummingbird
import ModelRuntime

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service: POST /v1/answer, /v1/classify, /v1/feedback; GET /v1/articles/{id}, /healthz, /metrics.",
        discussion: """
            Every route but /healthz needs `Authorization: Bearer <token>` (create one with `assistant tokens create`); \
            /metrics needs an admin token. Bodies over --max-body bytes get 413, more than --rate requests per minute \
            and token get 429. SIGINT/SIGTERM shut it down gracefully. Documentation: docs/HTTP-API.md.
            """)

    @Option var host = "127.0.0.1"
    @Option var port = 8080
    @Option(name: .customLong("max-body"), help: "Largest request body in bytes.") var maxBody = 64 * 1024
    @Option(help: "Requests per minute and token.") var rate = 600
    @OptionGroup var options: AnswererOptions

    func validate() throws {
        if !(1...65535).contains(port) { throw ValidationError("--port must be 1...65535") }
        if maxBody < 1 || rate < 1 { throw ValidationError("--max-body and --rate must be positive") }
    }

    func run() throws {
        let (answerer, index, assistantStore) = try options.makeAnswerer()
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maximumBodyBytes = maxBody
        configuration.requestsPerMinute = rate
        let app = buildApplication(configuration, service: AssistantService(answerer: answerer, index: index, store: assistantStore))
        printError("assistant: serving on http://\(host):\(port)")
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        Task {
            do { try await app.runService() } catch { failure = error }
            done.signal()
        }
        done.wait()
        if let failure { throw failure }
    }
}
