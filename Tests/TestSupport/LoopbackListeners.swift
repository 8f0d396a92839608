public import Foundation
import Synchronization

/// A UDP socket on 127.0.0.1 (an ephemeral port) that collects datagrams, for syslog tests.
public final class UDPListener {
    public let port: UInt16
    private let fd: Int32

    public init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        port = try bindLoopback(fd)
    }

    deinit { close(fd) }

    /// Up to `count` datagrams, waiting at most `timeout` seconds in all.
    public func receive(count: Int, timeout: TimeInterval) -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while messages.count < count, Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { messages.append(String(decoding: buffer[..<n], as: UTF8.self)) }
        }
        return messages
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 that answers 204 to each request and keeps the bodies.
public final class HTTPCollector: Sendable {
    public let port: UInt16
    private let fd: Int32
    private let received = Mutex<(lines: [String], bodies: [String])>(([], []))

    public init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        port = try bindLoopback(fd)
        listen(fd, 8)
    }

    deinit { close(fd) }

    public var requestLines: [String] { received.withLock { $0.lines } }

    /// Serves `requests` connections, one request each, giving up after 10 s without one.
    public func serve(requests: Int) {
        for _ in 0..<requests {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 10_000) > 0 else { return }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let text = String(decoding: data, as: UTF8.self)
                if let split = text.range(of: "\r\n\r\n") {
                    let length = text[..<split.lowerBound].split(separator: "\r\n")
                        .first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                    let body = text[split.upperBound...]
                    if body.utf8.count >= length {
                        let line = String(text.prefix { $0 != "\r" })
                        received.withLock { $0.lines.append(line); $0.bodies.append(String(body)) }
                        break
                    }
                }
                var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 5_000) > 0 else { break }
                let n = recv(client, &buffer, buffer.count, 0)
                guard n > 0 else { break }
                data += buffer[..<n]
            }
            let reply = Array("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".utf8)
            _ = send(client, reply, reply.count, 0)
            close(client)
        }
    }

    /// The bodies received, waiting up to `timeout` seconds for `count` of them.
    public func bodies(waitingFor count: Int, timeout: TimeInterval) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while received.withLock({ $0.bodies.count }) < count, Date() < deadline { usleep(20_000) }
        return received.withLock { $0.bodies }
    }
}

/// Binds `fd` to 127.0.0.1 on an ephemeral port; returns the port.
private func bindLoopback(_ fd: Int32) throws -> UInt16 {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard fd >= 0, bound else { throw CocoaError(.fileReadUnknown) }
    return UInt16(bigEndian: address.sin_port)
}
