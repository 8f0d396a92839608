public import Foundation
import ZIPFoundation

/// A zip archive read through its central directory. Each entry's declared size is checked
/// against the cap before it is inflated, and the bytes actually inflated are counted, so an
/// entry that lies about its size is stopped at the cap (zip bombs). Names that leave the
/// root and symbolic-link entries are reported and not extracted; a bad CRC or a corrupt
/// deflate stream fails that entry only.
package final class ZipSource: InputSource {
    package let label: String
    let url: URL
    let limits: InputLimits
    private var declared: Int?, read = 0

    package init(_ url: URL, label: String? = nil, limits: InputLimits = .default) {
        self.url = url
        self.label = label ?? url.path
        self.limits = limits
    }

    package var progress: Double? { declared.map { $0 == 0 ? 1 : min(1, Double(read) / Double($0)) } }

    private struct CapExceeded: Error { let total: Bool }

    package func forEach(_ body: (InputEntry) throws -> Void) throws {
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw InputError.corruptArchive(input: label, offset: 0, reason: "no readable central directory (\(error))")
        }
        declared = Self.declaredEntryCount(url)
        var total = 0
        for entry in archive {
            read += 1
            let name = label + ":" + entry.path
            if entry.type == .directory { continue }
            guard ArchivePath.normalized(entry.path) != nil else {
                try body(.failed(name: name, error: .pathEscapesRoot(entry: name)))
                continue
            }
            switch entry.type {
            case .directory: continue
            case .symlink:
                try body(.skipped(name: name, reason: "symbolic-link entry; not followed"))
                continue
            case .file: break
            }
            guard entry.uncompressedSize <= UInt64(limits.maxEntryBytes) else {
                try body(.failed(name: name, error: .entryTooLarge(entry: name, limit: limits.maxEntryBytes)))
                continue
            }
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    guard data.count + chunk.count <= self.limits.maxEntryBytes else { throw CapExceeded(total: false) }
                    guard total + chunk.count <= self.limits.maxTotalBytes else { throw CapExceeded(total: true) }
                    total += chunk.count
                    data.append(chunk)
                }
            } catch let cap as CapExceeded {
                if cap.total { throw InputError.inputTooLarge(input: label, limit: limits.maxTotalBytes) }
                try body(.failed(name: name, error: .entryTooLarge(entry: name, limit: limits.maxEntryBytes)))
                continue
            } catch {
                try body(.failed(name: name, error: .corruptEntry(entry: name, reason: "\(error)")))
                continue
            }
            try body(.file(name: name, data: data))
        }
        if let declared, read < declared {
            throw InputError.corruptArchive(input: label, offset: 0,
                                            reason: "the central directory lists \(declared) entries but only \(read) could be read")
        }
    }

    /// The entry count of the end-of-central-directory record (the last 22 bytes plus an
    /// optional comment of up to 65,535 bytes); nil when absent or deferred to ZIP64 (0xFFFF).
    static func declaredEntryCount(_ url: URL) -> Int? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return nil }
        let tail = min(size, 22 + 65_535)
        guard (try? handle.seek(toOffset: size - tail)) != nil, let bytes = try? handle.readToEnd().map({ [UInt8]($0) }) else { return nil }
        var i = bytes.count - 22
        while i >= 0 {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x05, bytes[i + 3] == 0x06 {
                let count = Int(bytes[i + 10]) | Int(bytes[i + 11]) << 8
                return count == 0xFFFF ? nil : count
            }
            i -= 1
        }
        return nil
    }
}
