import DICOMNetwork
import DICOMService
import Foundation
import Glibc
import Logging
import NIOCore
import Synchronization
import NIOPosix
import Testing

/// The real peers the network tests talk to, and where they come from: dcmtk's echoscu (Debian
/// package `dcmtk`, in the Makefile's DEB_PACKAGES) and pynetdicom in the test venv (`make test-venv`;
/// `make test` exports its python as SUITE_TEST_PYTHON). Outside `make test` a missing peer skips
/// its tests; under `make test` (SUITE_TEST_PYTHON set) a missing peer fails them.
enum Peers {
    static let echoscu = "/usr/bin/echoscu"
    static let python: String = ProcessInfo.processInfo.environment["SUITE_TEST_PYTHON"]
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/suite-venvs/test/bin/python").path
    static var underMakeTest: Bool { ProcessInfo.processInfo.environment["SUITE_TEST_PYTHON"] != nil }
    static var hasEchoscu: Bool { FileManager.default.isExecutableFile(atPath: echoscu) || underMakeTest }
    static var hasPynetdicom: Bool { FileManager.default.isExecutableFile(atPath: python) || underMakeTest }

    struct Run: Sendable {
        let status: Int32
        let output: String
    }

    /// Runs `executable` under coreutils `timeout` (at most `seconds`), both output streams merged.
    static func run(_ executable: String, _ arguments: [String], seconds: Int = 30) throws -> Run {
        try start(executable, arguments, seconds: seconds).wait()
    }

    final class Started {
        let process: Process
        let output: Pipe
        init(process: Process, output: Pipe) {
            self.process = process
            self.output = output
        }

        func wait() -> Run {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }
    }

    static func start(_ executable: String, _ arguments: [String], seconds: Int = 30) throws -> Started {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["\(seconds)", executable] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Started(process: process, output: output)
    }

    /// A pynetdicom association from the test venv: proposes `contexts` (abstract syntax UIDs, or
    /// "storage" for pynetdicom's storage SOP classes, 120 in 3.0.4; each on Implicit VR Little Endian)
    /// to `called` on 127.0.0.1:`port`, sends a C-ECHO when the Verification context was accepted,
    /// releases; prints one JSON object.
    static func pynetdicom(port: Int, called: String, contexts: [String]) throws -> [String: Any] {
        let script = """
        import json, sys
        from pynetdicom import AE
        ae = AE(ae_title="PYNETDICOM")
        ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 30  # generous: make test runs suites side by side on 2 cores
        for uid in sys.argv[3].split(","):
            if uid == "storage":
                from pynetdicom import StoragePresentationContexts
                for context in StoragePresentationContexts:
                    ae.add_requested_context(context.abstract_syntax, "1.2.840.10008.1.2")
            else:
                ae.add_requested_context(uid, "1.2.840.10008.1.2")
        assoc = ae.associate("127.0.0.1", int(sys.argv[1]), ae_title=sys.argv[2])
        out = {"established": assoc.is_established, "rejected": assoc.is_rejected, "aborted": assoc.is_aborted}
        if assoc.is_established:
            out["accepted"] = [c.abstract_syntax for c in assoc.accepted_contexts]
            out["rejected_contexts"] = {c.abstract_syntax: c.result for c in assoc.rejected_contexts}
            out["context_ids"] = sorted(c.context_id for c in assoc.accepted_contexts + assoc.rejected_contexts)
            if "1.2.840.10008.1.1" in out["accepted"]:
                status = assoc.send_c_echo()
                out["echo_status"] = status.Status if status else None
            assoc.release()
            out["released"] = assoc.is_released
        print(json.dumps(out))
        """
        let run = try run(python, ["-c", script, "\(port)", called, contexts.joined(separator: ",")])
        guard run.status == 0, let line = run.output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw PeerError(description: "pynetdicom exited \(run.status): \(run.output)")
        }
        return object
    }

    /// pynetdicom as a storage SCU: reads `files` with pydicom, proposes each one's SOP class in
    /// its own transfer syntax, sends them by C-STORE to `called` on 127.0.0.1:`port`, releases;
    /// returns the status of each C-STORE-RSP (nil when none came, e.g. no accepted context) and the
    /// result of each rejected context by its transfer syntax.
    static func pynetdicomStore(port: Int, called: String, files: [String]) throws
        -> (established: Bool, statuses: [Int?], rejectedSyntaxes: [String: Int])
    {
        let script = """
        import json, sys
        from pydicom import dcmread
        from pynetdicom import AE
        ae = AE(ae_title="PYNETDICOM")
        ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 30
        datasets = [dcmread(f) for f in sys.argv[3:]]
        for ds in datasets:
            ae.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
        assoc = ae.associate("127.0.0.1", int(sys.argv[1]), ae_title=sys.argv[2])
        out = {"established": assoc.is_established, "statuses": [], "rejected": {}}
        if assoc.is_established:
            out["rejected"] = {c.transfer_syntax[0]: c.result for c in assoc.rejected_contexts}
            for ds in datasets:
                try:
                    status = assoc.send_c_store(ds)
                    out["statuses"].append(status.Status if status else None)
                except ValueError:  # no accepted presentation context for this data set
                    out["statuses"].append(None)
            assoc.release()
        print(json.dumps(out))
        """
        let run = try run(python, ["-c", script, "\(port)", called] + files)
        guard run.status == 0, let line = run.output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw PeerError(description: "pynetdicom exited \(run.status): \(run.output)")
        }
        return (object["established"] as? Bool ?? false, (object["statuses"] as? [Any] ?? []).map { $0 as? Int },
                object["rejected"] as? [String: Int] ?? [:])
    }

    struct PeerError: Error, CustomStringConvertible { let description: String }
}

/// Keeps received instances in memory and answers each with `answer` (success by default).
final class MemoryStorage: InstanceStorage {
    private let received = Mutex<[ReceivedInstance]>([])
    private let answer: @Sendable (ReceivedInstance) -> StoreStatus

    init(answer: @escaping @Sendable (ReceivedInstance) -> StoreStatus = { _ in .success }) { self.answer = answer }

    func store(_ instance: ReceivedInstance) -> StoreStatus {
        received.withLock { $0.append(instance) }
        return answer(instance)
    }

    var instances: [ReceivedInstance] { received.withLock { $0 } }
}

/// A server on 127.0.0.1, an ephemeral port, its own one-thread event loop group; `stop` ends it all.
struct TestServer {
    let server: DICOMServer
    let group: MultiThreadedEventLoopGroup
    var port: Int { server.port }

    static func start(aeTitle: String = "OURAE", acceptor: AcceptorConfiguration? = nil, storage: any InstanceStorage = NoStorage(),
                      artim: TimeAmount = .seconds(10), idle: TimeAmount = .seconds(30),
                      maximumAssociations: Int = 16) async throws -> TestServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "dicomnet-test")
        logger.logLevel = .critical
        let configuration = DICOMServer.Configuration(acceptor: acceptor ?? AcceptorConfiguration(aeTitle: aeTitle), port: 0,
                                                      artimTimeout: artim, idleTimeout: idle, maximumAssociations: maximumAssociations)
        return TestServer(server: try await DICOMServer.start(configuration, storage: storage, group: group, logger: logger), group: group)
    }

    func stop() async throws {
        try await server.stop()
        try await group.shutdownGracefully()
    }
}

/// A blocking TCP client on 127.0.0.1 speaking raw PDU bytes, every read bounded by a timeout.
final class RawClient {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            throw Peers.PeerError(description: "connect to 127.0.0.1:\(port) failed (errno \(errno))")
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    func send(_ pdu: PDU) throws { send(try pdu.encoded()) }

    /// No more bytes from us (the server sees end of stream).
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// The next PDU, or nil at end of stream or after `timeout` seconds without one.
    func receive(timeout: Double = 10) throws -> PDU? {
        let reader = PDUReader(maximumDataLength: 1 << 20)
        var buffer: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let n = try reader.frameLength(buffer), buffer.count >= n { return try PDU.decode(Array(buffer[..<n])) }
            guard let chunk = read(until: deadline), !chunk.isEmpty else { return nil }
            buffer += chunk
        }
        return nil
    }

    /// Whether the server closed the connection within `timeout` seconds (anything read first is discarded).
    func closedByPeer(timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let chunk = read(until: deadline) else { return false }
            if chunk.isEmpty { return true }
        }
        return false
    }

    /// Bytes read; empty at end of stream (or reset); nil when the deadline passed first.
    private func read(until deadline: Date) -> [UInt8]? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let wait = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
        guard poll(&poller, 1, wait) > 0 else { return nil }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &chunk, chunk.count, 0)
        return n > 0 ? Array(chunk[..<n]) : []
    }
}
