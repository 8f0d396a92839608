/// Pillow's 8-bit resampling (`ImagingResampleHorizontal_8bpc` / `Vertical_8bpc`) on interleaved
/// samples: weights in fixed point with 22 fractional bits, Int32 accumulation (Pillow's `INT32 ss`),
/// `clip8`, and an 8-bit intermediate between the horizontal and the vertical pass.
enum Resample8 {
    static let half = Int32(1) << Int32(ResampleCoefficients.precisionBits - 1)

    @inline(__always)
    static func clip8(_ v: Int32) -> UInt8 {
        let bits = Int32(ResampleCoefficients.precisionBits)
        if v >= (1 << bits) << 8 { return 255 }
        if v <= 0 { return 0 }
        return UInt8(truncatingIfNeeded: v >> bits)
    }

    /// - Parameter input: `[height, width, channels]`.
    /// - Returns: `[newHeight, newWidth, channels]`.
    static func resize(_ input: [UInt8], width: Int, height: Int, channels c: Int, newWidth: Int, newHeight: Int,
                       horizontal: ResampleCoefficients, vertical: ResampleCoefficients) -> [UInt8] {
        // Rows the vertical pass reads.
        let firstRow = newHeight == height ? 0 : vertical.starts[0]
        let lastRow = newHeight == height ? height : vertical.starts[newHeight - 1] + vertical.counts[newHeight - 1]
        var current = input
        var rowOffset = 0
        if newWidth != width {
            let rows = lastRow - firstRow
            current = [UInt8](unsafeUninitializedCapacity: rows * newWidth * c) { out, n in
                input.withUnsafeBufferPointer { src in
                    horizontalPass(src.baseAddress! + firstRow * width * c, rows: rows, width: width, channels: c,
                                   coefficients: horizontal, into: out.baseAddress!)
                }
                n = rows * newWidth * c
            }
            rowOffset = firstRow
        }
        if newHeight == height { return current }
        let rowLength = newWidth * c
        return [UInt8](unsafeUninitializedCapacity: newHeight * rowLength) { out, n in
            current.withUnsafeBufferPointer { src in
                verticalPass(src.baseAddress!, rowLength: rowLength, rowOffset: rowOffset, coefficients: vertical,
                             into: out.baseAddress!)
            }
            n = newHeight * rowLength
        }
    }

    /// The same sums as `clip8` lane by lane: `v >> 22` clamped to 0…255 is 255 from 2^30 on and
    /// 0 up to 2^22 − 1.
    @inline(__always)
    static func clip8(_ v: SIMD8<Int32>) -> SIMD8<UInt8> {
        let shifted = v &>> Int32(ResampleCoefficients.precisionBits)
        return SIMD8(truncatingIfNeeded: pointwiseMin(pointwiseMax(shifted, .zero), SIMD8(repeating: 255)))
    }

    /// `rows` rows of `width` pixels → `rows` rows of `coefficients.starts.count` pixels, interleaved.
    static func horizontalPass(_ src: UnsafePointer<UInt8>, rows: Int, width: Int, channels c: Int,
                               coefficients h: ResampleCoefficients, into out: UnsafeMutablePointer<UInt8>) {
        let kernel = h.fixedPoint(), ks = h.kernelSize, newWidth = h.starts.count
        kernel.withUnsafeBufferPointer { k in
            h.starts.withUnsafeBufferPointer { starts in
                h.counts.withUnsafeBufferPointer { counts in
                    var y = 0
                    if c == 1 && ks < longKernel {
                        y = grayRowsByEight(src, rows: rows, width: width, kernel: k.baseAddress!, kernelSize: ks,
                                            starts: starts, counts: counts, into: out)
                    }
                    for y in y..<rows {
                        let row = src + y * width * c, dst = out + y * newWidth * c
                        for x in 0..<newWidth {
                            let s = row + starts[x] * c, kx = k.baseAddress! + x * ks, taps = counts[x]
                            if c == 1 {
                                dst[x] = clip8(dotBySixteen(s, kx, taps))
                            } else {
                                for ch in 0..<c { dst[x * c + ch] = clip8(dot(s + ch, stride: c, kx, taps)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Kernels at least this long (strong reductions, e.g. 2048 → 28 has 149 taps) are summed
    /// along the taps, sixteen at a time (`dotBySixteen`); shorter ones eight rows at a time
    /// (`grayRowsByEight`), whose interleaving pays off when each output has few taps.
    static let longKernel = 64

    /// `dot` of gray samples, sixteen taps per 16-lane multiply-add. The same Int32 sum: wrapping
    /// addition does not depend on the order.
    @inline(__always)
    static func dotBySixteen(_ s: UnsafePointer<UInt8>, _ k: UnsafePointer<Int32>, _ taps: Int) -> Int32 {
        var lanes = SIMD16<Int32>.zero, t = 0
        while t + 16 <= taps {
            let samples = UnsafeRawPointer(s + t).loadUnaligned(as: SIMD16<UInt8>.self)
            lanes &+= SIMD16<Int32>(truncatingIfNeeded: samples) &* UnsafeRawPointer(k + t).loadUnaligned(as: SIMD16<Int32>.self)
            t += 16
        }
        var ss = half &+ lanes.wrappedSum()
        while t < taps {
            ss &+= Int32(s[t]) &* k[t]
            t += 1
        }
        return ss
    }

    /// Gray rows eight at a time: the eight rows are interleaved column by column (`tile[j]` holds
    /// pixel j of each), so one tap of eight output pixels is one 8-lane multiply-add, with the
    /// same Int32 sums as `dot`.
    /// - Returns: the number of rows done (a multiple of 8; the caller does the rest).
    static func grayRowsByEight(_ src: UnsafePointer<UInt8>, rows: Int, width: Int, kernel k: UnsafePointer<Int32>,
                                kernelSize ks: Int, starts: UnsafeBufferPointer<Int>, counts: UnsafeBufferPointer<Int>,
                                into out: UnsafeMutablePointer<UInt8>) -> Int {
        let newWidth = starts.count
        let tile = UnsafeMutablePointer<SIMD8<UInt8>>.allocate(capacity: width)
        defer { tile.deallocate() }
        var y = 0
        while y + 8 <= rows {
            let r = src + y * width
            for j in 0..<width {
                tile[j] = SIMD8(r[j], r[j + width], r[j + 2 * width], r[j + 3 * width],
                                r[j + 4 * width], r[j + 5 * width], r[j + 6 * width], r[j + 7 * width])
            }
            let dst = out + y * newWidth
            for x in 0..<newWidth {
                let s = tile + starts[x], kx = k + x * ks
                var sums = SIMD8<Int32>(repeating: half)
                for t in 0..<counts[x] { sums &+= SIMD8<Int32>(truncatingIfNeeded: s[t]) &* SIMD8(repeating: kx[t]) }
                let v = clip8(sums)
                for lane in 0..<8 { dst[lane * newWidth + x] = v[lane] }
            }
            y += 8
        }
        return y
    }

    /// Rows of `rowLength` samples (the first one being source row `rowOffset`) → one row per
    /// output row, each a weighted sum of `counts[y]` rows accumulated across the whole row.
    static func verticalPass(_ src: UnsafePointer<UInt8>, rowLength: Int, rowOffset: Int,
                             coefficients v: ResampleCoefficients, into out: UnsafeMutablePointer<UInt8>) {
        let kernel = v.fixedPoint(), ks = v.kernelSize
        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: rowLength)
        defer { sums.deallocate() }
        kernel.withUnsafeBufferPointer { k in
            for y in 0..<v.starts.count {
                sums.update(repeating: half, count: rowLength)
                let start = v.starts[y] - rowOffset
                for t in 0..<v.counts[y] {
                    let row = src + (start + t) * rowLength, weight = k[y * ks + t]
                    for i in 0..<rowLength { sums[i] &+= Int32(row[i]) &* weight }
                }
                let dst = out + y * rowLength
                for i in 0..<rowLength { dst[i] = clip8(sums[i]) }
            }
        }
    }

    /// Pillow's `ss = initial; ss += in[x] * k[x]` over `taps` samples `stride` apart.
    @inline(__always)
    static func dot(_ s: UnsafePointer<UInt8>, stride: Int, _ k: UnsafePointer<Int32>, _ taps: Int) -> Int32 {
        var ss = half
        if stride == 1 {
            for t in 0..<taps { ss &+= Int32(s[t]) &* k[t] }
        } else {
            for t in 0..<taps { ss &+= Int32(s[t &* stride]) &* k[t] }
        }
        return ss
    }
}
