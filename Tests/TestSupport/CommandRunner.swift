public import Foundation

/// Runs one of the suite's executables as a user would, feeding standard input and capturing
/// both output streams.
public enum CommandRunner {
    public struct Result {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// Standard output split into lines (without the final empty one).
        public var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    /// The folder holding the built products (next to the test bundle).
    public static var productsDirectory: URL {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent(),
                          Fixtures.repositoryRoot.appendingPathComponent(".build/debug")]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("assistant").path) }
            ?? candidates[1]
    }

    /// - Parameter executable: a product name, or an absolute path (e.g. `/bin/sh` to wrap a product).
    public static func run(_ executable: String, _ arguments: [String], stdin: Data = Data(),
                           environment: [String: String] = [:], directory: URL? = nil) throws -> Result {
        let process = prepare(executable, arguments, environment: environment, directory: directory)
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Write and drain concurrently so large inputs or outputs cannot deadlock.
        let writer = Thread {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = error.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errReader.isExecuting || !errReader.isFinished { usleep(1000) }
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts `executable` in the background, no input, its output discarded (for a test that kills it).
    public static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = prepare(executable, arguments, environment: [:], directory: nil)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The process as `run` and `start` launch it: the built product, the caller's environment
    /// without ASSISTANT_MODEL_DIR, audit witness files under `Fixtures.witnessState` (not the
    /// user's ~/.local/state), plus `environment`.
    private static func prepare(_ executable: String, _ arguments: [String], environment: [String: String],
                                directory: URL?) -> Process {
        let process = Process()
        process.executableURL = executable.hasPrefix("/") ? URL(fileURLWithPath: executable)
            : productsDirectory.appendingPathComponent(executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["ASSISTANT_MODEL_DIR"] = nil
        env["XDG_STATE_HOME"] = Fixtures.witnessState.path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        return process
    }
}
