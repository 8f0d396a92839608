/// Reading uncompressed samples into `Int32` (interleaved), and pydicom's unused-bit correction.
enum NativePixels {
    /// - Parameter planar: the bytes are colour-by-plane regardless of Planar Configuration (RLE output).
    /// - Returns: `rows × columns × samplesPerPixel` values, interleaved.
    static func decode(_ raw: UnsafeBufferPointer<UInt8>, description d: PixelDescription, bigEndian: Bool, vr: VR,
                       file: String, planar: Bool? = nil) -> [Int32] {
        let pixels = d.pixelsPerFrame, spp = d.samplesPerPixel
        let count = pixels * spp
        let bytesPerSample = d.bitsAllocated / 8
        let isPlanar = planar ?? (spp > 1 && d.planarConfiguration == 1)
        let ybr422 = d.photometricInterpretation == "YBR_FULL_422" && planar == nil && spp == 3
        // 8-bit data in a big-endian OW element is stored as swapped 16-bit words.
        let swapPairs = bigEndian && bytesPerSample == 1 && vr == .OW
        let signed = d.signed
        if bytesPerSample == 2 && !ybr422 && !isPlanar && count > 0 && raw.count >= 2 * count {
            return words(raw, count: count, bigEndian: bigEndian, signed: signed)
        }
        var out = [Int32](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { dst in
            @inline(__always) func sample(_ i: Int) -> Int32 {
                switch bytesPerSample {
                case 1:
                    let j = swapPairs ? i ^ 1 : i
                    let b = j < raw.count ? raw[j] : 0
                    return signed ? Int32(Int8(bitPattern: b)) : Int32(b)
                case 2:
                    let a = UInt16(raw[2 * i]), b = UInt16(raw[2 * i + 1])
                    let v = bigEndian ? a << 8 | b : b << 8 | a
                    return signed ? Int32(Int16(bitPattern: v)) : Int32(v)
                default:
                    let o = 4 * i
                    let v = bigEndian
                        ? UInt32(raw[o]) << 24 | UInt32(raw[o + 1]) << 16 | UInt32(raw[o + 2]) << 8 | UInt32(raw[o + 3])
                        : UInt32(raw[o + 3]) << 24 | UInt32(raw[o + 2]) << 16 | UInt32(raw[o + 1]) << 8 | UInt32(raw[o])
                    return Int32(bitPattern: v)
                }
            }
            if ybr422 {
                // Y1 Y2 Cb Cr per pair of pixels, expanded to Y Cb Cr per pixel.
                for pair in 0..<(pixels / 2) {
                    let s = pair * 4, o = pair * 6
                    let cb = sample(s + 2), cr = sample(s + 3)
                    dst[o] = sample(s); dst[o + 1] = cb; dst[o + 2] = cr
                    dst[o + 3] = sample(s + 1); dst[o + 4] = cb; dst[o + 5] = cr
                }
            } else if isPlanar {
                for c in 0..<spp { for p in 0..<pixels { dst[p * spp + c] = sample(c * pixels + p) } }
            } else {
                for i in 0..<count { dst[i] = sample(i) }
            }
        }
        return out
    }

    /// 16-bit samples in stored order (the common case, one tight loop).
    /// - Returns: `count` values.
    static func words(_ raw: UnsafeBufferPointer<UInt8>, count: Int, bigEndian: Bool, signed: Bool) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: count) { out, n in
            let src = UnsafeRawPointer(raw.baseAddress!)
            for i in 0..<count {
                let stored = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                let v = bigEndian ? UInt16(bigEndian: stored) : UInt16(littleEndian: stored)
                out[i] = signed ? Int32(Int16(bitPattern: v)) : Int32(v)
            }
            n = count
        }
    }

    /// Bits Allocated 1: samples packed eight per byte, least significant bit first, frames
    /// following each other without byte alignment.
    /// - Returns: `count` values of 0 or 1.
    static func unpackBits(_ raw: [UInt8], firstBit: Int, count: Int) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: count) { out, n in
            for i in 0..<count {
                let bit = firstBit + i
                out[i] = Int32(raw[bit >> 3] >> UInt8(bit & 7) & 1)
            }
            n = count
        }
    }

    /// Clears bits above Bits Stored (unsigned) or sign-extends from Bits Stored (signed).
    static func correctUnusedBits(_ values: inout [Int32], description d: PixelDescription) {
        guard d.bitsStored < d.bitsAllocated, d.bitsAllocated <= 16 || d.signed else { return }
        let shift = Int32(32 - d.bitsStored)
        values.withUnsafeMutableBufferPointer { p in
            if d.signed {
                for i in p.indices { p[i] = (p[i] << shift) >> shift }
            } else {
                let mask = Int32((1 << d.bitsStored) - 1)
                for i in p.indices { p[i] &= mask }
            }
        }
    }
}

/// YBR_FULL → RGB with pydicom's float32 matrix and rounding (PS3.3 C.7.6.3.1.2).
enum ColorSpace {
    static func ybrFullToRGB(_ values: inout [Int32], bitsAllocated: Int) {
        let maximum = Float((1 << min(bitsAllocated, 16)) - 1)
        let half = Float(1 << (min(bitsAllocated, 16) - 1))
        let cbG = Float(-0.114 * 1.772 / 0.587), crG = Float(-0.299 * 1.402 / 0.587)
        values.withUnsafeMutableBufferPointer { p in
            for i in stride(from: 0, to: p.count - 2, by: 3) {
                let y = Float(p[i]), cb = Float(p[i + 1]) - half, cr = Float(p[i + 2]) - half
                let r = y + Float(1.402) * cr
                let g = y + cbG * cb + crG * cr
                let b = y + Float(1.772) * cb
                p[i] = Int32(min(maximum, max(0, (r + 0.5).rounded(.down))))
                p[i + 1] = Int32(min(maximum, max(0, (g + 0.5).rounded(.down))))
                p[i + 2] = Int32(min(maximum, max(0, (b + 0.5).rounded(.down))))
            }
        }
    }
}
