import Foundation

/// Sequential bytes read from a file, directly or through gzip.
protocol ByteStream: AnyObject {
    /// Up to `count` bytes; fewer only at the end of the stream (empty at the end).
    func read(upTo count: Int) throws -> Data
    /// Bytes of the underlying file consumed so far, for progress.
    var fileBytesConsumed: Int { get }
}

/// A file read in order.
final class FileByteStream: ByteStream {
    let handle: FileHandle
    let label: String
    private(set) var fileBytesConsumed = 0

    init(_ url: URL, label: String) throws {
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw InputError.unreadable(input: label, reason: error.localizedDescription)
        }
        self.label = label
    }

    deinit { try? handle.close() }

    func read(upTo count: Int) throws -> Data {
        var out = Data()
        while out.count < count {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: count - out.count) } catch {
                throw InputError.unreadable(input: label, reason: error.localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { break }
            out.append(chunk)
        }
        fileBytesConsumed += out.count
        return out
    }
}
