public import Foundation
import Synchronization

/// A product's `serve` started in the background, its standard error collected, until it prints
/// the line that names its bound port (for tests that talk to a running service).
public final class ServingProcess: Sendable {
    public let process: Process
    /// The port the service said it serves on.
    public let port: Int
    private let errors: Pipe
    private let collected = Collected()

    /// Standard error as it arrives.
    final class Collected: Sendable {
        let text = Mutex("")
    }

    /// Starts `executable` with `arguments` (environment as `CommandRunner`'s, without
    /// ASSISTANT_MODEL_DIR) and waits up to `timeout` for `serving` to match its standard error.
    /// - Parameter serving: a pattern whose first capture is the port.
    /// - Throws: `NotServing` with what it printed when it exits or times out first.
    public init(_ executable: String, _ arguments: [String], serving: Regex<(Substring, Substring)>,
                timeout: Duration = .seconds(120)) async throws {
        process = Process()
        errors = Pipe()
        process.executableURL = CommandRunner.productsDirectory.appendingPathComponent(executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "ASSISTANT_MODEL_DIR" }
            .merging(["XDG_STATE_HOME": Fixtures.witnessState.path]) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let collected = self.collected
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collected.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        var found: Int?
        let deadline = ContinuousClock.now + timeout
        while found == nil, process.isRunning, ContinuousClock.now < deadline {
            found = collected.text.withLock { $0.firstMatch(of: serving).flatMap { Int($0.1) } }
            if found == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw NotServing(stderr: collected.text.withLock { $0 })
        }
        port = found
    }

    public struct NotServing: Error, CustomStringConvertible {
        public let stderr: String
        public var description: String { "the service did not say it serves: \(stderr)" }
    }

    /// What it printed on standard error so far.
    public var stderr: String { collected.text.withLock { $0 } }

    /// SIGTERM, then waits for it to exit: its status and all it printed on standard error.
    public func stop() -> (status: Int32, stderr: String) {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        let rest = errors.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, stderr + String(decoding: rest, as: UTF8.self))
    }
}
