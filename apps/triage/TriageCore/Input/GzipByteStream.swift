import CGzip
import Foundation

/// A gzip-compressed file inflated as it is read (concatenated members included). The only
/// file that touches CGzip. Stops with `inputTooLarge` once more than `limit` bytes have been
/// inflated, so a gzip bomb costs at most that much work and no memory beyond one chunk.
final class GzipByteStream: ByteStream {
    let file: FileByteStream
    let label: String
    let limit: Int
    private let stream: OpaquePointer
    private var input = Data(), inputOffset = 0, memberEnded = false, stalled = false, ended = false, fileEnded = false
    private(set) var inflated = 0

    init(_ url: URL, label: String, limit: Int) throws {
        file = try FileByteStream(url, label: label)
        self.label = label
        self.limit = limit
        var message = [CChar](repeating: 0, count: 200)
        guard let s = cgzip_open(&message) else {
            throw InputError.unreadable(input: label, reason: Self.text(message))
        }
        stream = s
    }

    deinit { cgzip_close(stream) }

    var fileBytesConsumed: Int { file.fileBytesConsumed }

    func read(upTo count: Int) throws -> Data {
        var out = Data(count: count)
        var produced = 0
        while produced < count && !ended {
            if inputOffset == input.count && !fileEnded {
                input = try file.read(upTo: 1 << 18)
                inputOffset = 0
                fileEnded = input.isEmpty
            }
            if inputOffset == input.count && fileEnded && (memberEnded || stalled) {
                guard memberEnded else {
                    throw InputError.corruptArchive(input: label, offset: inflated, reason: "gzip stream ends early (truncated)")
                }
                ended = true
                break
            }
            var used = 0, made = 0
            var message = [CChar](repeating: 0, count: 200)
            let status = input.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    cgzip_inflate(stream, src.bindMemory(to: UInt8.self).baseAddress.map { $0 + inputOffset }, input.count - inputOffset,
                                  &used, dst.bindMemory(to: UInt8.self).baseAddress! + produced, count - produced, &made, &message)
                }
            }
            inputOffset += used
            produced += made
            inflated += made
            if status < 0 {
                throw InputError.corruptArchive(input: label, offset: inflated, reason: Self.text(message))
            }
            guard inflated <= limit else { throw InputError.inputTooLarge(input: label, limit: limit) }
            memberEnded = status == 1
            stalled = used == 0 && made == 0
        }
        out.count = produced
        return out
    }

    /// A C message buffer (NUL-terminated) as text.
    static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
