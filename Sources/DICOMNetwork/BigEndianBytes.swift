/// Appends PDU fields to a byte array: integers big-endian (PS3.8 §9.3.1: "most significant byte
/// first"), text as ASCII bytes.
struct BigEndianWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xFF)] }
    mutating func u32(_ v: UInt32) { bytes += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    mutating func zeros(_ n: Int) { bytes += repeatElement(0, count: n) }
    mutating func append(_ more: [UInt8]) { bytes += more }

    /// An item: type (1 byte), reserved 0 (1), length of `body` (2, big-endian), `body`.
    mutating func item(_ type: UInt8, _ body: [UInt8]) throws {
        guard body.count <= Int(UInt16.max) else {
            throw DICOMNetworkError.invalidValue(field: "item \(hex(type))", reason: "\(body.count) bytes do not fit a 16-bit item length")
        }
        u8(type); u8(0); u16(UInt16(body.count)); append(body)
    }
}

/// Bounds-checked big-endian reads over a slice of a PDU. Every read past `end` throws
/// `DICOMNetworkError.truncated` naming the field.
struct BigEndianReader {
    let bytes: ArraySlice<UInt8>
    private(set) var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - offset }
    var isAtEnd: Bool { offset == bytes.endIndex }

    mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw DICOMNetworkError.truncated(what: what(), needed: n, remaining: remaining) }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func u8(_ what: @autoclosure () -> String) throws -> UInt8 { try take(1, what()).first! }

    mutating func u16(_ what: @autoclosure () -> String) throws -> UInt16 {
        let b = try take(2, what())
        return UInt16(b[b.startIndex]) << 8 | UInt16(b[b.startIndex + 1])
    }

    mutating func u32(_ what: @autoclosure () -> String) throws -> UInt32 {
        let b = try take(4, what())
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// An item header (type, reserved, 16-bit length) and its body.
    mutating func item(in place: @autoclosure () -> String) throws -> (type: UInt8, body: ArraySlice<UInt8>) {
        let type = try u8("an item type in \(place())")
        _ = try u8("an item's reserved byte in \(place())")
        let length = try u16("the length of item \(hex(type)) in \(place())")
        return (type, try take(Int(length), "item \(hex(type)) in \(place()) (declared length \(length))"))
    }
}
