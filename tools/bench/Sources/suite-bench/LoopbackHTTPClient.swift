import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive HTTP/1.1 connection to 127.0.0.1 on blocking POSIX sockets: the load client of
/// `assistant-serve`. Deliberately minimal (no TLS, no redirects, bodies with Content-Length
/// only, which is what Hummingbird sends for the assistant's responses) so that the client costs
/// little CPU next to the server on a small machine. Every read and write has a timeout, so a
/// stuck server fails the benchmark instead of hanging it.
final class LoopbackHTTPConnection {
    struct Response {
        let status: Int
        let body: [UInt8]
    }

    private let fd: Int32
    private var pending: [UInt8] = []
    let port: Int

    init(port: Int, timeoutSeconds: Int = 60) throws {
        self.port = port
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1  // small requests: send at once instead of waiting for Nagle's algorithm
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: port)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BenchFailure("connect to 127.0.0.1:\(port): \(reason)")
        }
    }

    deinit { close(fd) }

    func send(method: String, path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try write(Array((head + "\r\n").utf8) + body)

        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = pending.firstRange(of: [13, 10, 13, 10])?.upperBound
            if headerEnd == nil { try fill(path) }
        }
        let lines = String(decoding: pending[..<headerEnd!], as: UTF8.self).split(separator: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw BenchFailure("\(path): malformed status line '\(lines.first ?? "")'")
        }
        var length: Int?
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0].lowercased() {
            case "content-length": length = Int(parts[1])
            case "transfer-encoding": throw BenchFailure("\(path): chunked responses are not supported by this client")
            default: break
            }
        }
        guard let length else { throw BenchFailure("\(path): response without Content-Length") }
        while pending.count < headerEnd! + length { try fill(path) }
        let body = Array(pending[headerEnd!..<(headerEnd! + length)])
        pending.removeFirst(headerEnd! + length)
        return Response(status: status, body: body)
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw BenchFailure("send to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    private func fill(_ path: String) throws {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw BenchFailure("\(path): the server closed the connection") }
        if n < 0 { throw BenchFailure("\(path): receive from 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        pending += chunk[..<n]
    }
}

func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// A TCP port free on 127.0.0.1 right now (the kernel picks one for a socket bound to port 0).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchFailure("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw BenchFailure("cannot bind a loopback port: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}
