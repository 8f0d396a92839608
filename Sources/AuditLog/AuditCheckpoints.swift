import Crypto
import Foundation

/// The checkpoint file beside a store: one line per committed batch, each committing to the line
/// before it, so a line cannot be dropped from the middle or moved.
///
/// A line is `v2 seq hash mac` in hex, `mac = HMAC(audit key, "checkpoint/2" ‖ store id ‖
/// previous line's mac ‖ seq ‖ hash)`; the first line chains from 32 zero bytes. Writers take an
/// exclusive `flock` on the file to read the last line and append theirs, so processes sharing a
/// store keep one linear chain (their lines may come out of sequence order; the chain is in file
/// order and the verifier trusts the highest sequence). Lines `seq hash mac` without the `v2` tag
/// come from before the chain existed (`mac = HMAC(key, "checkpoint" ‖ seq ‖ hash)`); they are
/// accepted only as a prefix of the file.
///
/// Cutting lines off the *end* leaves a valid chain: that is what the witness (`AuditWitness`),
/// kept outside the store's folder, is for.
struct AuditCheckpoints {
    struct Checkpoint: Equatable {
        let seq: Int64
        let hash: Data
    }

    /// What the file holds: the highest checkpoint, whether the file exists, the 1-based numbers
    /// of lines that fail their MAC or do not chain, and whether any chained (v2) line exists.
    struct Contents {
        var latest: Checkpoint?
        var fileExists: Bool
        var invalidLines: [Int]
        var chained: Bool
    }

    let url: URL
    let key: SymmetricKey
    let storeID: String

    static let genesis = Data(count: 32)

    func mac(previous: Data, seq: Int64, hash: Data) -> Data {
        var message = Data("checkpoint/2".utf8)
        message.append(Data(storeID.utf8))
        message.append(0)
        message.append(previous)
        withUnsafeBytes(of: seq.bigEndian) { message.append(contentsOf: $0) }
        message.append(hash)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    func legacyMAC(seq: Int64, hash: Data) -> Data {
        var message = Data("checkpoint".utf8)
        withUnsafeBytes(of: seq.bigEndian) { message.append(contentsOf: $0) }
        message.append(hash)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// Appends the checkpoint after the file's last line, under an exclusive lock.
    func append(_ checkpoint: Checkpoint) throws {
        let fd = open(url.path, O_RDWR | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw ioError() }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw ioError() }
        let previous = try lastMAC(fd) ?? Self.genesis
        let mac = self.mac(previous: previous, seq: checkpoint.seq, hash: checkpoint.hash)
        let bytes = Array("v2 \(checkpoint.seq) \(hex(checkpoint.hash)) \(hex(mac))\n".utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else { throw ioError() }
    }

    /// The MAC of the file's last line (its last field), nil for an empty file.
    private func lastMAC(_ fd: Int32) throws -> Data? {
        guard let tail = try tail(fd) else { return nil }
        guard let last = tail.lines.last, let field = last.split(separator: " ").last, let mac = unhex(field), mac.count == 32 else {
            throw AuditError.checkpointIO(path: url.path, reason: "its last line is damaged; run `audit verify`")
        }
        return mac
    }

    /// The lines of the file's last KiB (the first may be cut), and whether that is the whole
    /// file; nil for an empty file. Two lines fit: the last and the one it chains from.
    private func tail(_ fd: Int32) throws -> (lines: [Substring], wholeFile: Bool)? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError() }
        guard info.st_size > 0 else { return nil }
        let length = Int(min(info.st_size, 1024))
        var bytes = [UInt8](repeating: 0, count: length)
        guard pread(fd, &bytes, length, off_t(info.st_size) - off_t(length)) == length else { throw ioError() }
        return (String(decoding: bytes, as: UTF8.self).split(separator: "\n"), off_t(length) == info.st_size)
    }

    /// Reads and checks every line.
    func contents() throws -> Contents {
        guard FileManager.default.fileExists(atPath: url.path) else {
            return Contents(latest: nil, fileExists: false, invalidLines: [], chained: false)
        }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw AuditError.checkpointIO(path: url.path, reason: error.localizedDescription)
        }
        var result = Contents(latest: nil, fileExists: true, invalidLines: [], chained: false)
        var previous = Self.genesis
        for (index, line) in text.split(separator: "\n").enumerated() {
            guard let (checkpoint, mac, chained) = parse(line, previous: previous, legacyAllowed: !result.chained) else {
                result.invalidLines.append(index + 1)
                // The next line is checked against this one's MAC field, so one bad line is reported once.
                if let field = line.split(separator: " ").last, let mac = unhex(field) { previous = mac }
                continue
            }
            previous = mac
            result.chained = result.chained || chained
            if result.latest.map({ checkpoint.seq > $0.seq }) ?? true { result.latest = checkpoint }
        }
        return result
    }

    /// The last line alone, checked against the line before it: the cheap check at open.
    /// `valid` is false when that line fails its MAC (the file was edited).
    func lastLine() throws -> (checkpoint: Checkpoint?, fileExists: Bool, valid: Bool, chained: Bool) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            if errno == ENOENT { return (nil, false, true, false) }
            throw ioError()
        }
        defer { close(fd) }
        guard let (lines, wholeFile) = try tail(fd) else { return (nil, true, true, false) }
        guard let last = lines.last, lines.count >= 2 || wholeFile else { return (nil, true, false, false) }
        var previous = Self.genesis
        if lines.count >= 2 {
            guard let field = lines[lines.count - 2].split(separator: " ").last, let mac = unhex(field) else {
                return (nil, true, false, false)
            }
            previous = mac
        }
        guard let (checkpoint, _, chained) = parse(last, previous: previous, legacyAllowed: true) else {
            return (nil, true, false, false)
        }
        return (checkpoint, true, true, chained)
    }

    /// A line's checkpoint and MAC when the MAC holds (chained from `previous`, or in the legacy form).
    private func parse(_ line: Substring, previous: Data, legacyAllowed: Bool) -> (Checkpoint, Data, Bool)? {
        let parts = line.split(separator: " ")
        if parts.count == 4, parts[0] == "v2", let seq = Int64(parts[1]), let hash = unhex(parts[2]), let mac = unhex(parts[3]),
           mac == self.mac(previous: previous, seq: seq, hash: hash) {
            return (Checkpoint(seq: seq, hash: hash), mac, true)
        }
        if legacyAllowed, parts.count == 3, let seq = Int64(parts[0]), let hash = unhex(parts[1]), let mac = unhex(parts[2]),
           mac == legacyMAC(seq: seq, hash: hash) {
            return (Checkpoint(seq: seq, hash: hash), mac, false)
        }
        return nil
    }

    private func ioError() -> AuditError {
        AuditError.checkpointIO(path: url.path, reason: String(cString: strerror(errno)))
    }
}

func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

func unhex<S: StringProtocol>(_ text: S) -> Data? {
    guard text.count % 2 == 0 else { return nil }
    var out = Data(capacity: text.count / 2)
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
        out.append(byte)
        index = next
    }
    return out
}
