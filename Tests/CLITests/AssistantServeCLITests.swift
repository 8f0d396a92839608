import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import TestSupport
import Testing

/// `assistant serve` as an operator runs it: a busy port is a clear error (exit 1) and nothing
/// says "serving"; on a free port "serving" names the bound port, requests are logged as JSON
/// lines, and SIGTERM stops it cleanly.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"), .timeLimit(.minutes(3)))
struct AssistantServeCLITests {
    static let model = Fixtures.miniLM.path
    static let kb = Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path

    /// A home with keys and an index.
    static func home(in dir: URL) throws -> String {
        let home = dir.appendingPathComponent("home").path
        #expect(try CommandRunner.run("assistant", ["keys", "init", "--home", home]).status == 0)
        let index = try CommandRunner.run("assistant", ["index", "--home", home, "--kb", kb, "--model", model])
        try #require(index.status == 0, "\(index.stderr)")
        return home
    }

    /// A socket listening on 127.0.0.1 and its port (close the descriptor when done).
    static func listeningSocket() throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0
                && getsockname(descriptor, $0, &length) == 0 }
        }
        try #require(bound)
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func busyPortIsAnErrorBeforeAnyServingLineThenServingOnAFreeOne() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = try Self.home(in: dir)
        let arguments = ["serve", "--home", home, "--model", Self.model, "--threads", "1"]

        let busy = try Self.listeningSocket()
        let refused = try CommandRunner.run("assistant", arguments + ["--port", String(busy.port)])
        close(busy.descriptor)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("assistant: error: cannot listen on 127.0.0.1:\(busy.port): the address is already in use"),
                "\(refused.stderr)")
        #expect(!refused.stderr.contains("serving"))

        // Port 0: the line names the port the server got, once it listens.
        let process = Process(), errors = Pipe()
        process.executableURL = CommandRunner.productsDirectory.appendingPathComponent("assistant")
        process.arguments = arguments + ["--port", "0"]
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "ASSISTANT_MODEL_DIR" }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let stderr = Mutex("")
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            stderr.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let serving = #/assistant: serving on http://127\.0\.0\.1:(\d+) /#
        var port: Int?
        let deadline = ContinuousClock.now + .seconds(120)
        while port == nil, process.isRunning, ContinuousClock.now < deadline {
            port = stderr.withLock { $0.firstMatch(of: serving).flatMap { Int($0.1) } }
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let bound = try #require(port, "\(stderr.withLock { $0 })")
        #expect(bound > 0)
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(bound)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200 && String(decoding: body, as: UTF8.self) == "ok\n")

        process.terminate()  // SIGTERM: graceful shutdown
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        let rest = errors.fileHandleForReading.readDataToEndOfFile()
        let text = stderr.withLock { $0 } + String(decoding: rest, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("assistant: stopped"))
        let accessLine = try #require(text.split(separator: "\n").first { $0.contains(#""http.route":"/healthz""#) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(accessLine.utf8)) as? [String: String])
        #expect(object["http.status"] == "200" && object["http.method"] == "GET" && object["message"] == "request")
    }
}
