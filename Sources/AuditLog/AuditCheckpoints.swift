import Crypto
import Foundation

/// The checkpoint file beside a store: one line per committed batch, `seq hash mac` in hex,
/// where `mac = HMAC(audit key, "checkpoint" ‖ seq ‖ hash)`. Lines are appended with
/// `O_APPEND` after each commit, so concurrent writers never interleave within a line; the
/// verifier trusts the valid line with the highest sequence.
struct AuditCheckpoints {
    struct Checkpoint: Equatable {
        let seq: Int64
        let hash: Data
    }

    let url: URL
    let key: SymmetricKey

    func mac(seq: Int64, hash: Data) -> Data {
        var message = Data("checkpoint".utf8)
        withUnsafeBytes(of: seq.bigEndian) { message.append(contentsOf: $0) }
        message.append(hash)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    func append(_ checkpoint: Checkpoint) throws {
        let line = "\(checkpoint.seq) \(hex(checkpoint.hash)) \(hex(mac(seq: checkpoint.seq, hash: checkpoint.hash)))\n"
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw AuditError.checkpointIO(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            throw AuditError.checkpointIO(path: url.path, reason: String(cString: strerror(errno)))
        }
    }

    /// The highest valid checkpoint, nil when the file is missing; lines whose MAC fails are
    /// reported through `invalidLines`.
    func latest() throws -> (checkpoint: Checkpoint?, fileExists: Bool, invalidLines: [Int]) {
        guard FileManager.default.fileExists(atPath: url.path) else { return (nil, false, []) }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw AuditError.checkpointIO(path: url.path, reason: error.localizedDescription)
        }
        var best: Checkpoint?
        var invalid: [Int] = []
        for (index, line) in text.split(separator: "\n").enumerated() {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let seq = Int64(parts[0]), let hash = unhex(parts[1]), let mac = unhex(parts[2]),
                  mac == self.mac(seq: seq, hash: hash)
            else {
                invalid.append(index + 1)
                continue
            }
            if best == nil || seq > best!.seq { best = Checkpoint(seq: seq, hash: hash) }
        }
        return (best, true, invalid)
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
