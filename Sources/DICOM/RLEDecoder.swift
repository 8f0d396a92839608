/// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits
/// segment per byte plane (most significant byte first, sample by sample).
enum RLEDecoder {
    /// - Returns: the frame as colour-by-plane bytes in little-endian sample order.
    static func decode(_ data: [UInt8], description d: PixelDescription, file: String, frame: Int) throws -> [UInt8] {
        func fail(_ reason: String) -> DICOMError { .corruptPixelData(file: file, frame: frame, reason: "RLE: \(reason)") }
        guard data.count >= 64 else { throw fail("header of \(data.count) bytes") }
        func u32(_ o: Int) -> Int { Int(data[o]) | Int(data[o + 1]) << 8 | Int(data[o + 2]) << 16 | Int(data[o + 3]) << 24 }
        let segments = u32(0)
        let bytesPerSample = d.bitsAllocated / 8
        let expected = bytesPerSample * d.samplesPerPixel
        guard segments == expected else { throw fail("\(segments) segments, expected \(expected)") }
        let offsets = (0..<segments).map { u32(4 + 4 * $0) } + [data.count]
        let pixels = d.pixelsPerFrame
        var out = [UInt8](repeating: 0, count: pixels * expected)
        try out.withUnsafeMutableBufferPointer { dst in
            for s in 0..<segments {
                let start = offsets[s], end = offsets[s + 1]
                guard start >= 64, start <= end, end <= data.count else { throw fail("segment \(s) offsets \(start)..\(end)") }
                let sampleIndex = s / bytesPerSample
                let byteIndex = bytesPerSample - 1 - s % bytesPerSample  // MSB segment first
                var produced = 0
                var i = start
                @inline(__always) func put(_ b: UInt8) {
                    dst[(sampleIndex * pixels + produced) * bytesPerSample + byteIndex] = b
                    produced += 1
                }
                while i < end && produced < pixels {
                    let n = Int(Int8(bitPattern: data[i]))
                    i += 1
                    if n >= 0 {
                        guard i + n + 1 <= end, produced + n + 1 <= pixels else { throw fail("literal run past the end") }
                        for k in 0...n { put(data[i + k]) }
                        i += n + 1
                    } else if n != -128 {
                        guard i < end, produced + 1 - n <= pixels else { throw fail("repeat run past the end") }
                        let b = data[i]
                        for _ in 0..<(1 - n) { put(b) }
                        i += 1
                    }
                }
                guard produced == pixels else { throw fail("segment \(s) decoded \(produced) of \(pixels) bytes") }
            }
        }
        return out
    }
}
