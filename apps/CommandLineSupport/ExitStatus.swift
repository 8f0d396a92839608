public import ArgumentParser
import Foundation

/// The suite's exit codes: 0 ok, 1 failed, 2 usage, 3 partial (some inputs of a batch failed).
public enum ExitStatus {
    public static let failure = ExitCode(1)
    public static let usage = ExitCode(2)
    public static let partial = ExitCode(3)
}

extension ParsableCommand {
    /// Parses and runs the command, mapping errors to the suite's exit codes: usage errors
    /// print ArgumentParser's message and exit 2; any other error prints one line,
    /// `<command>: error: <description>`, and exits 1 (or the code it carries).
    public static func mainWithSuiteExitCodes() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                self.exit(withError: error)  // --help, --version
            }
            if let exit = error as? ExitCode {
                Foundation.exit(exit.rawValue)
            }
            if code == .validationFailure {
                try? FileHandle.standardError.write(contentsOf: Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            let name = configuration.commandName ?? "command"
            try? FileHandle.standardError.write(contentsOf: Data("\(name): error: \(error)\n".utf8))
            Foundation.exit(ExitStatus.failure.rawValue)
        }
    }
}

extension ParsableCommand {
    /// `mainWithSuiteExitCodes` for a product whose `serve` subcommand is asynchronous: `serve`
    /// runs on the async path with the same exit codes; every other subcommand (and every parse
    /// error, --help, --version) takes the synchronous path, unchanged.
    public static func mainWithSuiteExitCodes<Serve: AsyncParsableCommand>(serving serve: Serve.Type) async -> Never {
        guard let command = try? parseAsRoot(), var serve = command as? Serve else { mainWithSuiteExitCodes() }
        do {
            try await serve.run()
            Foundation.exit(0)
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
            printError("\(configuration.commandName ?? "command"): error: \(error)")
            Foundation.exit(ExitStatus.failure.rawValue)
        }
    }
}

/// Writes to standard error without buffering.
public func printError(_ message: String) {
    try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8))
}

/// Whether standard error is a terminal (progress is shown only then).
public var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
