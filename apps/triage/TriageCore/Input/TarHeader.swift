import Foundation

/// One 512-byte tar header block: POSIX ustar, GNU (`ustar  ` magic, base-256 sizes) and
/// pre-POSIX v7 headers (no magic) are read; the checksum is verified.
struct TarHeader {
    enum Kind: Equatable {
        case file, directory, hardLink, symbolicLink
        /// GNU `L`: the data is the name of the next entry.
        case gnuLongName
        /// pax `x`: key=value records for the next entry; `g`: for all (ignored).
        case paxExtended, paxGlobal
        /// Anything else (devices, FIFOs, GNU `K` long link names, sparse files), by type flag.
        case other(UInt8)
    }

    let name: String
    let size: Int
    let kind: Kind

    static let blockSize = 512

    /// Parses a header; nil for an all-zero block (the end-of-archive marker).
    /// - Throws: a description of what is wrong (bad checksum, unreadable size).
    static func parse(_ block: [UInt8]) throws -> TarHeader? {
        precondition(block.count == blockSize)
        if block.allSatisfy({ $0 == 0 }) { return nil }
        guard let stored = octal(block[148..<156]) else { throw TarHeaderError("unreadable header checksum") }
        let unsigned = block.enumerated().reduce(0) { $0 + (148..<156 ~= $1.offset ? 0x20 : Int($1.element)) }
        let signed = block.enumerated().reduce(0) { $0 + (148..<156 ~= $1.offset ? 0x20 : Int(Int8(bitPattern: $1.element))) }
        guard stored == unsigned || stored == signed else { throw TarHeaderError("header checksum mismatch (not a tar header)") }
        guard let size = number(block[124..<136]), size >= 0 else { throw TarHeaderError("unreadable entry size") }
        var name = text(block[0..<100])
        let ustar = block[257..<262].elementsEqual("ustar".utf8)
        if ustar && block[263] == 0x30 {  // POSIX "ustar\0" "00": a prefix field extends the name
            let prefix = text(block[345..<500])
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let kind: Kind
        switch block[156] {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = name.hasSuffix("/") ? .directory : .file
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symbolicLink
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "L"): kind = .gnuLongName
        case UInt8(ascii: "x"): kind = .paxExtended
        case UInt8(ascii: "g"): kind = .paxGlobal
        case let flag: kind = .other(flag)
        }
        return TarHeader(name: name, size: size, kind: kind)
    }

    /// Octal digits with spaces/NULs around them; nil for anything else.
    static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let digits = field.drop { $0 == 0x20 }.prefix { $0 != 0 && $0 != 0x20 }
        guard !digits.isEmpty, digits.count <= 21 else { return digits.isEmpty ? 0 : nil }
        var value = 0
        for d in digits {
            guard d >= 0x30 && d <= 0x37 else { return nil }
            value = value * 8 + Int(d - 0x30)
        }
        return value
    }

    /// A numeric field: octal, or GNU base-256 (high bit of the first byte set, big-endian).
    static func number(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first, first & 0x80 != 0 else { return octal(field) }
        guard first & 0x40 == 0 else { return nil }  // negative
        var value = Int(first & 0x3F)
        for byte in field.dropFirst() {
            guard value < (Int.max >> 8) else { return nil }
            value = value << 8 | Int(byte)
        }
        return value
    }

    /// A NUL-terminated field as UTF-8 (invalid bytes replaced).
    static func text(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The `path` and `size` of pax records `"<length> <key>=<value>\n"`.
    static func paxRecords(_ data: Data) -> (path: String?, size: Int?) {
        var path: String?, size: Int?
        var rest = Substring(String(decoding: data, as: UTF8.self))
        while let space = rest.firstIndex(of: " "), let length = Int(rest[..<space]), length > 0,
              let end = rest.utf8.index(rest.startIndex, offsetBy: length, limitedBy: rest.endIndex) {
            let record = rest[rest.index(after: space)..<end].dropLast()  // without the newline
            if let equals = record.firstIndex(of: "=") {
                let key = record[..<equals], value = String(record[record.index(after: equals)...])
                if key == "path" { path = value }
                if key == "size" { size = Int(value) }
            }
            rest = rest[end...]
        }
        return (path, size)
    }
}

struct TarHeaderError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
