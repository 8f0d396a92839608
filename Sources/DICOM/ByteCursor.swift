/// Bounds-checked reads over a byte buffer in a fixed byte order. Every read past the end
/// throws `DICOMError.malformed` with the offset. The buffer is borrowed (valid only while the
/// parse that made the cursor runs); `take` copies values out of it.
struct ByteCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset: Int
    var bigEndian: Bool
    let file: String

    init(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int = 0, bigEndian: Bool = false, file: String) {
        self.bytes = bytes
        self.offset = offset
        self.bigEndian = bigEndian
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    func error(_ reason: String, at position: Int? = nil) -> DICOMError {
        .malformed(file: file, offset: position ?? offset, reason: reason)
    }

    mutating func need(_ n: Int, _ what: @autoclosure () -> String) throws {
        guard n >= 0, n <= remaining else {
            throw error("\(what()) needs \(n) bytes but \(remaining) remain (truncated file?)")
        }
    }

    mutating func u16() throws -> UInt16 {
        try need(2, "a 16-bit value")
        let a = UInt16(bytes[offset]), b = UInt16(bytes[offset + 1])
        offset += 2
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    mutating func u32() throws -> UInt32 {
        let a = UInt32(try u16()), b = UInt32(try u16())
        return bigEndian ? a << 16 | b : b << 16 | a
    }

    mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
        try need(n, what())
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    func peekTag() -> Tag? {
        guard remaining >= 4 else { return nil }
        var c = self
        guard let g = try? c.u16(), let e = try? c.u16() else { return nil }
        return Tag(g, e)
    }
}
