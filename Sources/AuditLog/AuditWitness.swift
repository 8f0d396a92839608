public import Foundation
import Crypto
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Where a store's latest checkpoint is also written, outside the store's folder, so that
/// cutting entries and checkpoint lines off the end is still detected.
///
/// Every transport carries the same line, `suite-witness/1 <product> <store id> <seq> <hash> <mac>`
/// with `mac = HMAC(audit key, "witness/1" ‖ store id ‖ 0 ‖ seq ‖ hash)`: `audit verify
/// --witness FILE` reads it back from the file witness, from the file a syslog daemon writes, or
/// from what an HTTP collector stored.
public enum WitnessTarget: Sendable, Equatable, CustomStringConvertible {
    /// Lines appended to a file (fsync'd), e.g. on another volume.
    case file(URL)
    /// RFC 5424 messages over UDP (the IHE ATNA syslog transport), e.g. to rsyslog.
    case syslogUDP(host: String, port: UInt16)
    /// RFC 5424 messages to a local datagram socket, `/dev/log` (journald, rsyslog).
    case syslogSocket(path: String)
    /// The line POSTed as `text/plain` (2 s timeout).
    case http(URL)

    /// Parses `file:PATH`, `syslog` (= /dev/log), `syslog:PATH`, `syslog://HOST:PORT`, `http(s)://…`.
    public init(parsing spec: String) throws {
        if spec.hasPrefix("http://") || spec.hasPrefix("https://"), let url = URL(string: spec), url.host != nil {
            self = .http(url)
        } else if spec.hasPrefix("syslog://") {
            let rest = spec.dropFirst("syslog://".count)
            guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0,
                  colon > rest.startIndex
            else { throw AuditError.invalidWitness(spec: spec, reason: "expected syslog://HOST:PORT") }
            self = .syslogUDP(host: String(rest[..<colon]), port: port)
        } else if spec == "syslog" {
            self = .syslogSocket(path: "/dev/log")
        } else if spec.hasPrefix("syslog:/") {
            self = .syslogSocket(path: String(spec.dropFirst("syslog:".count)))
        } else if spec.hasPrefix("file:"), spec.count > "file:".count {
            self = .file(URL(fileURLWithPath: String(spec.dropFirst("file:".count))))
        } else {
            throw AuditError.invalidWitness(
                spec: spec, reason: "expected file:PATH, syslog, syslog:SOCKET, syslog://HOST:PORT or http(s)://URL")
        }
    }

    public var description: String {
        switch self {
        case .file(let url): "file:\(url.path)"
        case .syslogUDP(let host, let port): "syslog://\(host):\(port)"
        case .syslogSocket(let path): "syslog:\(path)"
        case .http(let url): url.absoluteString
        }
    }
}

/// Writes and reads witness lines for one store.
final class AuditWitness: Sendable {
    let product: String
    let storeID: String
    let key: SymmetricKey
    /// The default file witness (outside the store's folder) first, then the configured ones.
    let targets: [WitnessTarget]
    /// Targets that failed once already: each failure is reported once per process.
    private let reported = Mutex<Set<String>>([])

    init(product: String, storeID: String, key: SymmetricKey, targets: [WitnessTarget]) {
        self.product = product
        self.storeID = storeID
        self.key = key
        self.targets = targets
    }

    static let tag = "suite-witness/1"

    func mac(seq: Int64, hash: Data) -> Data {
        var message = Data("witness/1".utf8)
        message.append(Data(storeID.utf8))
        message.append(0)
        withUnsafeBytes(of: seq.bigEndian) { message.append(contentsOf: $0) }
        message.append(hash)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    func line(_ checkpoint: AuditCheckpoints.Checkpoint) -> String {
        "\(Self.tag) \(product) \(storeID) \(checkpoint.seq) \(hex(checkpoint.hash)) \(hex(mac(seq: checkpoint.seq, hash: checkpoint.hash)))"
    }

    /// Sends the checkpoint to every target. A target that fails is reported on standard error
    /// (once per process) and skipped: the entries are committed, and a lagging witness is
    /// accepted by `verify`; only a witness *ahead* of the log is a finding.
    func publish(_ checkpoint: AuditCheckpoints.Checkpoint) {
        let line = self.line(checkpoint)
        for target in targets {
            do {
                try send(line, seq: checkpoint.seq, to: target)
            } catch {
                let first = reported.withLock { $0.insert(target.description).inserted }
                if first {
                    FileHandle.standardError.write(Data("audit: warning: witness \(target) not written: \(error)\n".utf8))
                }
            }
        }
    }

    private func send(_ line: String, seq: Int64, to target: WitnessTarget) throws {
        switch target {
        case .file(let url):
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            guard fd >= 0 else { throw WitnessSendError(String(cString: strerror(errno))) }
            defer { close(fd) }
            let bytes = Array((line + "\n").utf8)
            guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
                throw WitnessSendError(String(cString: strerror(errno)))
            }
        case .syslogUDP(let host, let port):
            try SyslogSender.sendUDP(syslogMessage(line, seq: seq), host: host, port: port)
        case .syslogSocket(let path):
            try SyslogSender.sendUnix(syslogMessage(line, seq: seq), path: path)
        case .http(let url):
            try HTTPWitnessSender.post(line, to: url)
        }
    }

    /// An RFC 5424 message: facility 13 (log audit), severity 6 (informational), MSGID `checkpoint`,
    /// structured data naming store and sequence, the witness line as MSG.
    func syslogMessage(_ line: String, seq: Int64) -> String {
        let host = ProcessInfo.processInfo.hostName.isEmpty ? "-" : ProcessInfo.processInfo.hostName
        return "<110>1 \(SyslogSender.timestamp()) \(host) \(product) \(getpid()) checkpoint "
            + "[suite-witness@32473 store=\"\(storeID)\" seq=\"\(seq)\"] \(line)"
    }

    /// The highest checkpoint of this store witnessed in `text`, and how many of its lines fail their MAC.
    func latest(in text: String) -> (checkpoint: AuditCheckpoints.Checkpoint?, invalid: Int) {
        var best: AuditCheckpoints.Checkpoint?
        var invalid = 0
        for raw in text.split(separator: "\n") {
            guard let start = raw.range(of: Self.tag + " ") else { continue }
            let parts = raw[start.upperBound...].split(separator: " ")
            guard parts.count >= 5, parts[1] == storeID else { continue }
            guard let seq = Int64(parts[2]), let hash = unhex(parts[3]), let mac = unhex(parts[4]),
                  mac == self.mac(seq: seq, hash: hash)
            else {
                invalid += 1
                continue
            }
            if best.map({ seq > $0.seq }) ?? true { best = .init(seq: seq, hash: hash) }
        }
        return (best, invalid)
    }
}

struct WitnessSendError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// RFC 5424 datagrams over UDP or a local socket.
enum SyslogSender {
    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    static func sendUDP(_ message: String, host: String, port: UInt16) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else {
            throw WitnessSendError("cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw WitnessSendError(String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        guard sendto(fd, bytes, bytes.count, 0, info.pointee.ai_addr, info.pointee.ai_addrlen) == bytes.count else {
            throw WitnessSendError(String(cString: strerror(errno)))
        }
    }

    static func sendUnix(_ message: String, path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw WitnessSendError(String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw WitnessSendError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: pathBytes) }
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard sent == bytes.count else { throw WitnessSendError("\(path): \(String(cString: strerror(errno)))") }
    }
}

/// A synchronous POST with a bounded wait.
enum HTTPWitnessSender {
    static let timeout: TimeInterval = 2

    static func post(_ line: String, to url: URL) throws {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data((line + "\n").utf8)
        let outcome = Mutex<String?>("no answer within \(Int(timeout)) s")
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { _, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            outcome.withLock { $0 = error.map { "\($0.localizedDescription)" } ?? ((200..<300).contains(status) ? nil : "HTTP \(status)") }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 1) == .timedOut { task.cancel() }
        if let failure = outcome.withLock({ $0 }) { throw WitnessSendError(failure) }
    }
}
