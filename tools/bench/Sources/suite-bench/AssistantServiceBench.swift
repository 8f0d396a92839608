import ArgumentParser
import AssistantCore
import Foundation
import ModelRuntime
import Synchronization

// `assistant-serve` (warm `assistant serve`, loopback load client) and `assistant-batch`
// (`assistant batch` over a generated ticket archive): both run the release `assistant` binary as
// a user would, on a fresh home in a temporary folder (keys, index of the demo knowledge base,
// the shipped classifier), with tickets drawn from the shared Banking77 texts.

/// What both commands need to set up and drive the release `assistant`.
struct AssistantBinaryOptions: ParsableArguments {
    @Option(help: "The release `assistant` executable (default: the one beside suite-bench).") var assistant: String?
    @Option(help: "Knowledge base to index (JSONL).") var kb = "data/kb/lumen-help-center.jsonl"
    @Option(help: "Intent classifier folder.") var classifier = "data/classifier"
    @Option(help: "Sentence-transformers model folder.") var model = "models/all-MiniLM-L6-v2"
    @Option(help: "JSONL with a \"text\" field per line: where the tickets come from.") var data = "../shared/data/banking77/train.jsonl"
    @Option(help: "--threads of the assistant process.") var threads = ComputeThreads.available
    @Option var seed: UInt64 = 6

    func executable() throws -> URL {
        let url = assistant.map { URL(fileURLWithPath: $0) }
            ?? Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("assistant")
        guard let url, FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BenchFailure("\(url?.path ?? "assistant"): no executable; build it: swift build -c release --product assistant")
        }
        return url
    }

    /// A new home in `scratch` with keys and the knowledge index; returns its path.
    func prepareHome(_ executable: URL, _ scratch: ScratchFolder) throws -> String {
        for (path, what) in [(kb, "knowledge base"), (classifier, "classifier folder"), (model, "model folder")]
        where !FileManager.default.fileExists(atPath: path) {
            throw BenchFailure("\(path): \(what) not found (run from the repository root; the model comes from `make setup`)")
        }
        let home = scratch.path("home")
        _ = try runProduct(executable, ["keys", "init", "--home", home], scratch: scratch)
        _ = try runProduct(executable, ["index", "--home", home, "--kb", kb, "--model", model, "--threads", "\(threads)"],
                           scratch: scratch)
        return home
    }

    /// The options `batch` and `serve` share.
    func answerArguments(home: String) -> [String] {
        ["--home", home, "--model", model, "--classifier", classifier, "--threads", "\(threads)"]
    }

    /// `count` ticket texts drawn (seeded, without replacement while the data lasts) from the data.
    func tickets(_ count: Int) throws -> [String] {
        guard FileManager.default.fileExists(atPath: data) else {
            throw BenchFailure("\(data): ticket texts not found (the shared Banking77 data, outside the repo)")
        }
        let source = try TicketSource(path: data)  // the reader `assistant batch` uses
        var texts: [String] = []
        while let row = try source.nextRow() { if let text = row.text { texts.append(text) } }
        guard !texts.isEmpty else { throw BenchFailure("\(data): no rows with a \"text\" field") }
        var random = SeededGenerator(seed: seed, stream: "assistant-tickets")
        var drawn: [String] = []
        while drawn.count < count { drawn += texts.shuffled(using: &random).prefix(count - drawn.count) }
        return drawn
    }
}

/// The environment of a spawned `assistant`: the caller's, without the variables that would
/// point it at another store, keys or model.
func productEnvironment() -> [String: String] {
    ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ASSISTANT_") }
}

/// Runs `assistant ARGS` to completion; its standard output, or an error quoting its standard
/// error when the exit status is not 0.
func runProduct(_ executable: URL, _ arguments: [String], scratch: ScratchFolder) throws -> String {
    let out = scratch.path("command.out"), err = scratch.path("command.err")
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = productEnvironment()
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let message = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        throw BenchFailure("assistant \(arguments.prefix(2).joined(separator: " ")) exited with \(process.terminationStatus): \(message.suffix(600))")
    }
    return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
}

/// Hands out request numbers to the load client's workers; `stop()` ends the run early.
final class LoadQueue: Sendable {
    private let state = Mutex((next: 0, stopped: false))
    let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        state.withLock { s in
            guard !s.stopped, s.next < count else { return nil }
            s.next += 1
            return s.next - 1
        }
    }

    func stop() { state.withLock { $0.stopped = true } }
}

/// Results of the workers of one load run.
final class LoadOutcomes: Sendable {
    let all = Mutex<[(latencies: [Double], bodies: [[UInt8]], error: String?)]>([])
}

struct AssistantServeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistant-serve",
        abstract: "POST /v1/answer latency (p50/p90/p99/max) and requests/s of a warm `assistant serve` on loopback.",
        discussion: """
            Spawns the release `assistant serve` on 127.0.0.1 (a free port, rate limit lifted), waits for /healthz, then \
            for each --concurrency C: --warmup untimed requests, then --requests timed ones, from C keep-alive \
            connections (one thread each), every request timed from its first byte sent to its last byte received.
            """)
    @OptionGroup var options: AssistantBinaryOptions
    @Option var requests = 2000
    @Option var warmup = 100
    @Option(parsing: .upToNextOption, help: "Client connections, one measurement each.") var concurrency: [Int] = [1, 4]

    func validate() throws {
        if requests < 1 || warmup < 0 || concurrency.contains(where: { $0 < 1 }) {
            throw ValidationError("--requests and --concurrency must be positive, --warmup not negative")
        }
    }

    func run() throws {
        let executable = try options.executable()
        let texts = try options.tickets(requests + warmup)
        let scratch = try ScratchFolder("serve")
        defer { scratch.remove() }
        let home = try options.prepareHome(executable, scratch)
        let token = try runProduct(executable, ["tokens", "create", "--home", home, "--name", "bench", "--role", "agent"],
                                   scratch: scratch).trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try freeLoopbackPort()
        let log = scratch.path("serve.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let server = Process()
        server.executableURL = executable
        server.arguments = ["serve", "--port", "\(port)", "--rate", "1000000000"] + options.answerArguments(home: home)
        server.environment = productEnvironment()
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle(forWritingAtPath: log)
        server.standardError = FileHandle(forWritingAtPath: log)
        try server.run()
        defer {
            if server.isRunning { server.terminate() }
            server.waitUntilExit()
        }
        let startup = try waitUntilHealthy(server, port: port, log: log)

        let bodies = try texts.map { Array(try JSONSerialization.data(withJSONObject: ["text": $0])) }
        var results: [[String: Any]] = []
        for c in concurrency {
            _ = try load(Array(bodies.prefix(warmup)), port: port, token: token, concurrency: c)
            let (latencies, wall, decisions) = try load(Array(bodies.dropFirst(warmup)), port: port, token: token, concurrency: c)
            results.append(["concurrency": c, "requests": latencies.count, "wall_seconds": wall,
                            "requests_per_s": Double(latencies.count) / wall, "latency": latencySummary(latencies),
                            "decisions": decisions])
        }
        try printJSON(["runs": results, "warmup": warmup, "threads": options.threads, "kb": options.kb,
                       "classifier": options.classifier, "startup_seconds": startup,
                       "server_peak_rss_bytes": peakResident(pid: server.processIdentifier) as Any,
                       "data": options.data])
    }

    /// Seconds until `GET /healthz` answers 200; fails when the server exits or after 120 s.
    func waitUntilHealthy(_ server: Process, port: Int, log: String) throws -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < 120 {
            guard server.isRunning else {
                throw BenchFailure("assistant serve exited with \(server.terminationStatus): \(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(600))")
            }
            if let response = try? LoopbackHTTPConnection(port: port, timeoutSeconds: 5).send(method: "GET", path: "/healthz"),
               response.status == 200 {
                return Date().timeIntervalSince(start)
            }
            usleep(100_000)
        }
        throw BenchFailure("assistant serve did not answer /healthz on port \(port) within 120 s")
    }

    /// Sends every body once from `concurrency` connections; latencies (s), wall time (s), decisions.
    func load(_ bodies: [[UInt8]], port: Int, token: String, concurrency: Int) throws
        -> (latencies: [Double], wall: Double, decisions: [String: Int]) {
        let queue = LoadQueue(count: bodies.count), outcomes = LoadOutcomes()
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        // One thread per connection (not `concurrentPerform`, which runs at most one iteration per
        // core at a time and so would cap the concurrency at the number of CPUs).
        let finished = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<concurrency {
            finished.enter()
            Thread {
                var latencies: [Double] = [], responses: [[UInt8]] = [], failure: String?
                do {
                    let connection = try LoopbackHTTPConnection(port: port)
                    while let i = queue.take() {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        let response = try connection.send(method: "POST", path: "/v1/answer", headers: headers, body: bodies[i])
                        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                        guard response.status == 200 else {
                            throw BenchFailure("POST /v1/answer: status \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
                        }
                        responses.append(response.body)
                    }
                } catch {
                    failure = "\(error)"
                    queue.stop()
                }
                outcomes.all.withLock { $0.append((latencies, responses, failure)) }
                finished.leave()
            }.start()
        }
        finished.wait()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let all = outcomes.all.withLock { $0 }
        if let failure = all.compactMap(\.error).first { throw BenchFailure(failure) }
        var decisions: [String: Int] = [:]
        for body in all.flatMap(\.bodies) {
            let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            decisions[object?["decision"] as? String ?? "unreadable", default: 0] += 1
        }
        return (all.flatMap(\.latencies), wall, decisions)
    }

    /// The process's peak resident memory (VmHWM), nil when /proc does not say.
    func peakResident(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kb * 1024
    }
}

struct AssistantBatchBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistant-batch",
        abstract: "Answers/s of `assistant batch` over a generated JSONL ticket archive (wall clock of the whole command).",
        discussion: """
            Each run answers a new copy of the archive (new ticket ids, so every run stores its tickets afresh) and \
            checks that the output has one line per ticket. A one-ticket run measures the fixed cost (process start, \
            model and index loading), so the steady rate is (tickets - 1) / (median run - one-ticket run).
            """)
    @OptionGroup var options: AssistantBinaryOptions
    @Option var tickets = 2000
    @Option var runs = 3

    func validate() throws {
        if tickets < 2 || runs < 1 { throw ValidationError("--tickets must be at least 2 and --runs positive") }
    }

    func run() throws {
        let executable = try options.executable()
        let texts = try options.tickets(tickets)
        let scratch = try ScratchFolder("batch")
        defer { scratch.remove() }
        let home = try options.prepareHome(executable, scratch)
        let lines = try texts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }

        func batch(_ rows: ArraySlice<String>, name: String) throws -> (seconds: Double, decisions: [String: Int]) {
            let input = scratch.path("\(name).jsonl"), output = scratch.path("\(name)-answers.jsonl")
            try Data(rows.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
            let t = try seconds {
                _ = try runProduct(executable, ["batch", "--input", input, "--output", output] + options.answerArguments(home: home),
                                   scratch: scratch)
            }
            let written = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            guard written.count == rows.count else { throw BenchFailure("\(name): \(written.count) output lines for \(rows.count) tickets") }
            var decisions: [String: Int] = [:]
            for line in written {
                let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                decisions[object?["decision"] as? String ?? "failed", default: 0] += 1
            }
            return (t, decisions)
        }

        let one = try batch(lines.prefix(1), name: "one")
        var times: [Double] = [], decisions: [String: Int] = [:]
        for r in 1...runs {
            let result = try batch(lines[...], name: "run\(r)")
            times.append(result.seconds)
            decisions = result.decisions
        }
        let m = median(times)
        try printJSON(["tickets": tickets, "runs": runs, "runs_seconds": times,
                       "runs_answers_per_s": times.map { Double(tickets) / $0 }, "median_answers_per_s": Double(tickets) / m,
                       "one_ticket_seconds": one.seconds,
                       "steady_answers_per_s": m > one.seconds ? Double(tickets - 1) / (m - one.seconds) : NSNull(),
                       "decisions": decisions, "threads": options.threads, "kb": options.kb,
                       "classifier": options.classifier, "data": options.data])
    }
}
