public import Foundation

/// A tar or tar.gz archive read as a stream, one header block and its data at a time (nothing
/// is written to disk). Links, devices and FIFOs are skipped with the reason, names that leave
/// the root are reported, entries over the cap are skipped over without being kept; a damaged
/// header stops the archive there (`corruptArchive`), a truncated entry fails that entry.
package final class TarSource: InputSource {
    package let label: String
    let url: URL
    let gzip: Bool
    let limits: InputLimits
    private var stream: (any ByteStream)?
    private let fileSize: Int

    package init(_ url: URL, gzip: Bool, label: String? = nil, limits: InputLimits = .default) {
        self.url = url
        self.gzip = gzip
        self.label = label ?? url.path
        self.limits = limits
        fileSize = ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? Int) ?? 0
    }

    package var progress: Double? {
        guard let stream, fileSize > 0 else { return nil }
        return min(1, Double(stream.fileBytesConsumed) / Double(fileSize))
    }

    package func forEach(_ body: (InputEntry) throws -> Void) throws {
        let stream: any ByteStream = gzip ? try GzipByteStream(url, label: label, limit: limits.maxTotalBytes)
            : try FileByteStream(url, label: label)
        self.stream = stream
        var offset = 0, total = 0
        var longName: String?, pax: (path: String?, size: Int?) = (nil, nil)

        /// Reads `count` bytes of entry data (or skips them when `keep` is false), then the padding
        /// to the next block. Returns nil when the archive ends first.
        func data(_ count: Int, keep: Bool) throws -> Data? {
            var kept = Data(), remaining = count
            while remaining > 0 {
                let chunk = try stream.read(upTo: min(remaining, 1 << 20))
                if chunk.isEmpty { return nil }
                if keep { kept.append(chunk) }
                remaining -= chunk.count
            }
            offset += count
            total += count
            if !gzip && total > limits.maxTotalBytes { throw InputError.inputTooLarge(input: label, limit: limits.maxTotalBytes) }
            let padding = (TarHeader.blockSize - count % TarHeader.blockSize) % TarHeader.blockSize
            guard try stream.read(upTo: padding).count == padding else { return nil }
            offset += padding
            return kept
        }

        while true {
            let block = try stream.read(upTo: TarHeader.blockSize)
            if block.isEmpty { return }  // no end-of-archive marker: tolerated, as GNU tar does
            guard block.count == TarHeader.blockSize else {
                throw InputError.corruptArchive(input: label, offset: offset, reason: "truncated header block")
            }
            let header: TarHeader
            do {
                guard let parsed = try TarHeader.parse([UInt8](block)) else { return }
                header = parsed
            } catch {
                throw InputError.corruptArchive(input: label, offset: offset, reason: "\(error)")
            }
            offset += TarHeader.blockSize
            let size = header.kind == .file ? (pax.size ?? header.size) : header.size
            let rawName = header.kind == .file || header.kind == .directory || header.kind == .symbolicLink
                || header.kind == .hardLink ? (pax.path ?? longName ?? header.name) : header.name
            let name = label + ":" + rawName
            switch header.kind {
            case .gnuLongName, .paxExtended:
                guard size <= 1 << 20, let meta = try data(size, keep: true) else {
                    throw InputError.corruptArchive(input: label, offset: offset, reason: "extended header too long or truncated")
                }
                if header.kind == .gnuLongName { longName = TarHeader.text(ArraySlice([UInt8](meta))) } else { pax = TarHeader.paxRecords(meta) }
                continue
            case .paxGlobal:
                guard try data(size, keep: false) != nil else { return }
                continue
            default: break
            }
            longName = nil
            pax = (nil, nil)
            let escapes = ArchivePath.normalized(rawName) == nil
            switch header.kind {
            case .directory:
                guard try data(size, keep: false) != nil else { return }
            case .hardLink, .symbolicLink:
                guard try data(size, keep: false) != nil else { return }
                try body(.skipped(name: name, reason: "link entry; not followed"))
            case .other(let flag):
                guard try data(size, keep: false) != nil else { return }
                try body(.skipped(name: name, reason: "not a regular file (tar type '\(Character(UnicodeScalar(flag)))')"))
            case .file where escapes || size > limits.maxEntryBytes:
                guard try data(size, keep: false) != nil else {
                    try body(.failed(name: name, error: .corruptEntry(entry: name, reason: "archive ends inside this entry (truncated)")))
                    return
                }
                try body(.failed(name: name, error: escapes ? .pathEscapesRoot(entry: name)
                                    : .entryTooLarge(entry: name, limit: limits.maxEntryBytes)))
            default:
                guard let content = try data(size, keep: true) else {
                    try body(.failed(name: name, error: .corruptEntry(entry: name, reason: "archive ends inside this entry (truncated)")))
                    return
                }
                try body(.file(name: name, data: content))
            }
        }
    }
}
