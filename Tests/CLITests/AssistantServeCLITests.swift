import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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
        let server = try await ServingProcess("assistant", arguments + ["--port", "0"],
                                              serving: #/assistant: serving on http://127\.0\.0\.1:(\d+) /#)
        defer { _ = server.stop() }
        let bound = server.port
        #expect(bound > 0)
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(bound)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200 && String(decoding: body, as: UTF8.self) == "ok\n")

        let (status, text) = server.stop()  // SIGTERM: graceful shutdown
        #expect(status == 0, "\(text)")
        #expect(text.contains("assistant: stopped"))
        let accessLine = try #require(text.split(separator: "\n").first { $0.contains(#""http.route":"/healthz""#) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(accessLine.utf8)) as? [String: String])
        #expect(object["http.status"] == "200" && object["http.method"] == "GET" && object["message"] == "request")
    }
}
