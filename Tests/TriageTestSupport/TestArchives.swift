public import Foundation
import ZIPFoundation

/// Archives built byte by byte for tests, hostile ones included.
public enum TestArchives {
    /// One member of a test archive.
    public struct Member: Sendable {
        public enum Kind: Sendable { case file, directory, symlink(to: String), hardLink(to: String), fifo }
        public let name: String
        public let data: Data
        public let kind: Kind

        public init(_ name: String, _ data: Data = Data(), kind: Kind = .file) {
            self.name = name
            self.data = data
            self.kind = kind
        }
    }

    /// A zip through ZIPFoundation (names written as given, `../` included), deflated.
    public static func zip(_ members: [Member], to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for m in members {
            switch m.kind {
            case .symlink(let target):
                let bytes = Data(target.utf8)
                try archive.addEntry(with: m.name, type: .symlink, uncompressedSize: Int64(bytes.count)) { (p: Int64, n: Int) in
                    bytes.chunk(p, n)
                }
            case .directory:
                try archive.addEntry(with: m.name, type: .directory, uncompressedSize: 0) { (_: Int64, _: Int) in Data() }
            default:
                try archive.addEntry(with: m.name, type: .file, uncompressedSize: Int64(m.data.count), compressionMethod: .deflate) { (p: Int64, n: Int) in
                    m.data.chunk(p, n)
                }
            }
        }
    }

    /// A ustar archive; names over 100 bytes get a GNU `L` long-name entry first.
    public static func tar(_ members: [Member]) -> Data {
        var out = Data()
        for m in members {
            if m.name.utf8.count > 100 {
                out += header(name: "././@LongLink", size: m.name.utf8.count + 1, type: "L")
                out += padded(Data(m.name.utf8) + Data([0]))
            }
            switch m.kind {
            case .file:
                out += header(name: m.name, size: m.data.count, type: "0")
                out += padded(m.data)
            case .directory: out += header(name: m.name, size: 0, type: "5")
            case .symlink(let target): out += header(name: m.name, size: 0, type: "2", link: target)
            case .hardLink(let target): out += header(name: m.name, size: 0, type: "1", link: target)
            case .fifo: out += header(name: m.name, size: 0, type: "6")
            }
        }
        return out + Data(count: 1024)
    }

    /// A pax `x` header giving `path` to the entry that follows it.
    public static func paxPath(_ path: String) -> Data {
        var record = " path=\(path)\n"
        var length = record.utf8.count
        while String(length).utf8.count + record.utf8.count != length { length = String(length).utf8.count + record.utf8.count }
        record = "\(length)" + record
        return header(name: "PaxHeader", size: record.utf8.count, type: "x") + padded(Data(record.utf8))
    }

    /// A 512-byte ustar header with a valid checksum.
    public static func header(name: String, size: Int, type: Character, link: String = "") -> Data {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int, _ length: Int) {
            for (i, b) in text.utf8.prefix(length).enumerated() { h[offset + i] = b }
        }
        func octal(_ value: Int, _ offset: Int, _ length: Int) { put(String(value, radix: 8).leftPadded(length - 1), offset, length - 1) }
        put(String(name.suffix(100)), 0, 100)
        octal(0o644, 100, 8); octal(0, 108, 8); octal(0, 116, 8); octal(size, 124, 12); octal(0, 136, 12)
        h[156] = type.asciiValue!
        put(link, 157, 100)
        put("ustar", 257, 6); put("00", 263, 2)
        for i in 148..<156 { h[i] = 0x20 }
        octal(h.reduce(0) { $0 + Int($1) }, 148, 8)
        return Data(h)
    }

    public static func padded(_ data: Data) -> Data {
        data + Data(count: (512 - data.count % 512) % 512)
    }

    /// gzip (RFC 1952) of `data`: header, raw deflate (ZIPFoundation), CRC-32 and size.
    public static func gzip(_ data: Data) throws -> Data {
        var out = Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])
        _ = try Data.compress(size: Int64(data.count), bufferSize: 1 << 16, provider: { p, n in
            data.chunk(p, n)
        }, consumer: { out.append($0) })
        for value in [data.crc32(checksum: 0), UInt32(truncatingIfNeeded: data.count)] {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }
}

extension Data {
    /// Up to `size` bytes from `position` (ZIPFoundation's providers may ask past the end).
    func chunk(_ position: Int64, _ size: Int) -> Data {
        let start = startIndex + Int(position)
        return subdata(in: start..<Swift.min(start + size, endIndex))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
