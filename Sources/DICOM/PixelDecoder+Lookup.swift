extension PixelDecoder {
    /// Whether `lookUpFrame` can read this pixel data: native (uncompressed), one sample per
    /// pixel, 8 or 16 bits allocated (8-bit data of a big-endian file excepted: its words are swapped).
    package var supportsLookup: Bool {
        let d = description
        return transferSyntax.pixelEncoding == .native && d.samplesPerPixel == 1
            && (d.bitsAllocated == 16 || (d.bitsAllocated == 8 && !bigEndian))
    }

    /// The value `frame` gives a sample stored with these bits (the low `bitsAllocated` bits of
    /// `rawBits`, in host order): read as signed or unsigned, then the bits above Bits Stored
    /// cleared (unsigned) or the sign extended from Bits Stored (signed).
    package func sampleValue(rawBits: Int) -> Int32 {
        let d = description
        let bits = d.bitsAllocated == 8 ? Int32(UInt8(truncatingIfNeeded: rawBits)) : Int32(UInt16(truncatingIfNeeded: rawBits))
        var v = d.signed ? (bits << (32 - d.bitsAllocated)) >> (32 - d.bitsAllocated) : bits
        if d.bitsStored < d.bitsAllocated {
            let shift = Int32(32 - d.bitsStored)
            v = d.signed ? (v << shift) >> shift : v & Int32((1 << d.bitsStored) - 1)
        }
        return v
    }

    /// Frame `index` (0-based) with every sample replaced by `table[raw bits]`, read straight
    /// from the stored bytes: the integer array of `frame` is never made. With a table built
    /// from `sampleValue(rawBits:)`, the result is that function applied to `frame(index)`.
    /// - Parameter table: `1 << bitsAllocated` entries.
    /// - Returns: `rows × columns` values, or nil when `supportsLookup` is false.
    func lookUpFrame(_ index: Int, table: [Float]) throws -> [Float]? {
        guard try checkLookup(index, table: table) else { return nil }
        let d = description
        return [Float](unsafeUninitializedCapacity: d.pixelsPerFrame) { out, n in
            for y in 0..<d.rows { lookUpRow(index, row: y, column: 0, count: d.columns, table: table, into: out.baseAddress! + y * d.columns) }
            n = d.pixelsPerFrame
        }
    }

    /// Whether `lookUpRow` can read frame `index` with this table (`supportsLookup`); throws for a frame out of range.
    package func checkLookup(_ index: Int, table: [Float]) throws -> Bool {
        let d = description
        guard supportsLookup else { return false }
        guard index >= 0 && index < d.frames else { throw DICOMError.frameOutOfRange(file: file, frame: index, frames: d.frames) }
        precondition(table.count == 1 << d.bitsAllocated, "\(table.count) entries for \(d.bitsAllocated)-bit samples")
        return true
    }

    /// `lookUpFrame` for samples `column ..< column + count` of one row, into `out`; the frame,
    /// row and columns must lie inside (`checkLookup` first).
    package func lookUpRow(_ index: Int, row: Int, column: Int, count: Int, table: [Float], into out: UnsafeMutablePointer<Float>) {
        let d = description
        precondition(row >= 0 && row < d.rows && column >= 0 && count >= 0 && column + count <= d.columns, "row \(row) columns \(column)+\(count)")
        let first = index * frameBytes / (d.bitsAllocated / 8) + row * d.columns + column
        let bigEndian = self.bigEndian
        element.bytes.withUnsafeBytes { raw in
            table.withUnsafeBufferPointer { t in
                let src = raw.baseAddress! + first * (d.bitsAllocated / 8)
                if d.bitsAllocated == 8 {
                    let bytes = src.assumingMemoryBound(to: UInt8.self)
                    for i in 0..<count { out[i] = t[Int(bytes[i])] }
                } else if bigEndian {
                    for i in 0..<count { out[i] = t[Int(UInt16(bigEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))] }
                } else {
                    for i in 0..<count { out[i] = t[Int(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))] }
                }
            }
        }
    }
}
