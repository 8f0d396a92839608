/// A sample type the float resampler reads directly (16-bit images are not converted to float first).
protocol ResampleSample {
    /// The value, exactly (every UInt16 and Float is a Double).
    var resampleValue: Double { get }
}

extension Float: ResampleSample {
    @inline(__always) var resampleValue: Double { Double(self) }
}

extension UInt16: ResampleSample {
    @inline(__always) var resampleValue: Double { Double(self) }
}

/// Where sample (plane p, row y, column x) of an image lies: `p * plane + y * row + x * pixel`.
struct SampleLayout {
    let plane: Int, row: Int, pixel: Int

    /// `[planes, height, width]`.
    static func planar(width: Int, height: Int) -> SampleLayout { SampleLayout(plane: width * height, row: width, pixel: 1) }
    /// `[height, width, channels]`.
    static func interleaved(width: Int, channels: Int) -> SampleLayout { SampleLayout(plane: 1, row: width * channels, pixel: channels) }
}

/// Pillow's float resampling ("F" mode: double accumulation over the taps in order, float32
/// storage), from planar Float or interleaved UInt16 samples, to planar Float.
enum ResampleFloat {
    /// - Returns: `[planes, newHeight, newWidth]`.
    static func resize<T: ResampleSample>(_ input: [T], layout: SampleLayout, width: Int, height: Int, planes: Int,
                                          newWidth: Int, newHeight: Int,
                                          horizontal: ResampleCoefficients, vertical: ResampleCoefficients) -> [Float] {
        precondition(newWidth != width || newHeight != height, "nothing to resample")
        let firstRow = newHeight == height ? 0 : vertical.starts[0]
        let lastRow = newHeight == height ? height : vertical.starts[newHeight - 1] + vertical.counts[newHeight - 1]
        let rows = lastRow - firstRow
        return input.withUnsafeBufferPointer { src in
            guard newWidth != width else {
                return [Float](unsafeUninitializedCapacity: planes * newHeight * width) { out, n in
                    verticalPass(src.baseAddress!, layout: layout, width: width, planes: planes, rowOffset: 0,
                                 coefficients: vertical, into: out.baseAddress!)
                    n = planes * newHeight * width
                }
            }
            let first = src.baseAddress! + firstRow * layout.row
            let across = [Float](unsafeUninitializedCapacity: planes * rows * newWidth) { out, n in
                horizontalPass(first, layout: layout, rows: rows, planes: planes, coefficients: horizontal, into: out.baseAddress!)
                n = planes * rows * newWidth
            }
            if newHeight == height { return across }
            return across.withUnsafeBufferPointer { mid in
                [Float](unsafeUninitializedCapacity: planes * newHeight * newWidth) { out, n in
                    verticalPass(mid.baseAddress!, layout: .planar(width: newWidth, height: rows), width: newWidth,
                                 planes: planes, rowOffset: firstRow, coefficients: vertical, into: out.baseAddress!)
                    n = planes * newHeight * newWidth
                }
            }
        }
    }

    /// `resize` of a row source (one plane) to another width: the rows the vertical pass needs
    /// are made eight at a time into a small buffer and resampled across from there, by the same
    /// passes.
    /// - Parameter observe: called with every row of the source (`width` samples), top to
    ///   bottom, once each, while the rows are at hand (e.g. for a thumbnail in the same pass).
    /// - Returns: `[newHeight, newWidth]`.
    static func resize(_ source: RowSource, newWidth: Int, newHeight: Int,
                       horizontal: ResampleCoefficients, vertical: ResampleCoefficients,
                       observe: (UnsafePointer<Float>) -> Void) -> [Float] {
        let width = source.width, height = source.height
        precondition(newWidth != width, "the rows path resamples across (`RowSource.resized` takes the rest)")
        let firstRow = newHeight == height ? 0 : vertical.starts[0]
        let lastRow = newHeight == height ? height : vertical.starts[newHeight - 1] + vertical.counts[newHeight - 1]
        let rows = lastRow - firstRow
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 8 * width)
        defer { block.deallocate() }
        // Rows outside the vertical pass's reach are made for `observe` alone.
        for y in 0..<firstRow { source.row(y, into: block); observe(block) }
        let across = [Float](unsafeUninitializedCapacity: rows * newWidth) { out, n in
            var y = 0
            while y < rows {
                let count = min(8, rows - y)
                for i in 0..<count {
                    source.row(firstRow + y + i, into: block + i * width)
                    observe(block + i * width)
                }
                horizontalPass(UnsafePointer(block), layout: .planar(width: width, height: count), rows: count, planes: 1,
                               coefficients: horizontal, into: out.baseAddress! + y * newWidth)
                y += count
            }
            n = rows * newWidth
        }
        for y in lastRow..<height { source.row(y, into: block); observe(block) }
        if newHeight == height { return across }
        return across.withUnsafeBufferPointer { mid in
            [Float](unsafeUninitializedCapacity: newHeight * newWidth) { out, n in
                verticalPass(mid.baseAddress!, layout: .planar(width: newWidth, height: rows), width: newWidth,
                             planes: 1, rowOffset: firstRow, coefficients: vertical, into: out.baseAddress!)
                n = newHeight * newWidth
            }
        }
    }

    /// `rows` rows per plane → planar `[planes, rows, starts.count]`: eight rows at a time
    /// (`rowsByEight`), the rest one by one with four outputs summed side by side (independent
    /// chains, each still in tap order, so the sums are exactly Pillow's).
    static func horizontalPass<T: ResampleSample>(_ src: UnsafePointer<T>, layout: SampleLayout, rows: Int, planes: Int,
                                                  coefficients h: ResampleCoefficients, into out: UnsafeMutablePointer<Float>) {
        let ks = h.kernelSize, newWidth = h.starts.count, ps = layout.pixel
        h.weights.withUnsafeBufferPointer { kb in
            h.starts.withUnsafeBufferPointer { starts in
                h.counts.withUnsafeBufferPointer { counts in
                    let k = kb.baseAddress!
                    for p in 0..<planes {
                        let done = rowsByEight(src + p * layout.plane, layout: layout, rows: rows, kernel: k, kernelSize: ks,
                                               starts: starts, counts: counts, into: out + p * rows * newWidth)
                        for y in done..<rows {
                            let row = src + p * layout.plane + y * layout.row
                            let dst = out + (p * rows + y) * newWidth
                            var x = 0
                            while x + 4 <= newWidth {
                                let s0 = row + starts[x] * ps, s1 = row + starts[x + 1] * ps
                                let s2 = row + starts[x + 2] * ps, s3 = row + starts[x + 3] * ps
                                let k0 = k + x * ks, k1 = k0 + ks, k2 = k1 + ks, k3 = k2 + ks
                                let common = min(min(counts[x], counts[x + 1]), min(counts[x + 2], counts[x + 3]))
                                var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
                                for t in 0..<common {
                                    let o = t * ps
                                    a0 += s0[o].resampleValue * k0[t]
                                    a1 += s1[o].resampleValue * k1[t]
                                    a2 += s2[o].resampleValue * k2[t]
                                    a3 += s3[o].resampleValue * k3[t]
                                }
                                for t in common..<counts[x] { a0 += s0[t * ps].resampleValue * k0[t] }
                                for t in common..<counts[x + 1] { a1 += s1[t * ps].resampleValue * k1[t] }
                                for t in common..<counts[x + 2] { a2 += s2[t * ps].resampleValue * k2[t] }
                                for t in common..<counts[x + 3] { a3 += s3[t * ps].resampleValue * k3[t] }
                                dst[x] = Float(a0); dst[x + 1] = Float(a1); dst[x + 2] = Float(a2); dst[x + 3] = Float(a3)
                                x += 4
                            }
                            while x < newWidth {
                                let s = row + starts[x] * ps, kx = k + x * ks
                                var a = 0.0
                                for t in 0..<counts[x] { a += s[t * ps].resampleValue * kx[t] }
                                dst[x] = Float(a)
                                x += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// Rows of one plane eight at a time: the eight rows are interleaved column by column
    /// (`tile[j]` holds column j of each), so one tap of eight output pixels is one 8-lane
    /// Double multiply and add, each lane summing its own row's taps in order: the same sums as
    /// the one-row loop. Long kernels (strong reductions: 2048 → 28 has 149 taps, each sample
    /// read by about two taps) keep the tile in Double, widened once; short ones in Float, half
    /// the memory to write, widened at each tap (measured faster each way round).
    /// - Returns: the number of rows done (a multiple of 8; the caller does the rest).
    static func rowsByEight<T: ResampleSample>(_ src: UnsafePointer<T>, layout: SampleLayout, rows: Int,
                                               kernel k: UnsafePointer<Double>, kernelSize ks: Int,
                                               starts: UnsafeBufferPointer<Int>, counts: UnsafeBufferPointer<Int>,
                                               into out: UnsafeMutablePointer<Float>) -> Int {
        ks >= longKernel
            ? rowsByEight(src, layout: layout, rows: rows, kernel: k, kernelSize: ks, starts: starts, counts: counts,
                          into: out, lanes: DoubleLanes.self)
            : rowsByEight(src, layout: layout, rows: rows, kernel: k, kernelSize: ks, starts: starts, counts: counts,
                          into: out, lanes: FloatLanes.self)
    }

    /// Kernels at least this long keep `rowsByEight`'s tile in Double.
    static let longKernel = 64

    static func rowsByEight<T: ResampleSample, L: TileLanes>(_ src: UnsafePointer<T>, layout: SampleLayout, rows: Int,
                                                             kernel k: UnsafePointer<Double>, kernelSize ks: Int,
                                                             starts: UnsafeBufferPointer<Int>, counts: UnsafeBufferPointer<Int>,
                                                             into out: UnsafeMutablePointer<Float>, lanes: L.Type) -> Int {
        let newWidth = starts.count, ps = layout.pixel, rs = layout.row
        let span = (0..<newWidth).map { starts[$0] + counts[$0] }.max() ?? 0
        let tile = UnsafeMutablePointer<L>.allocate(capacity: max(span, 1))
        defer { tile.deallocate() }
        var y = 0
        while y + 8 <= rows {
            let r = src + y * rs
            for j in 0..<span {
                let o = j * ps
                // Every UInt16 and Float is exactly a Float, so either lane type holds it exactly.
                tile[j] = L(SIMD8(r[o].resampleValue, r[o + rs].resampleValue, r[o + 2 * rs].resampleValue,
                                  r[o + 3 * rs].resampleValue, r[o + 4 * rs].resampleValue,
                                  r[o + 5 * rs].resampleValue, r[o + 6 * rs].resampleValue,
                                  r[o + 7 * rs].resampleValue))
            }
            for x in 0..<newWidth {
                let s = tile + starts[x], kx = k + x * ks
                var sums = SIMD8<Double>.zero
                for t in 0..<counts[x] { sums += s[t].doubles * SIMD8(repeating: kx[t]) }
                let v = SIMD8<Float>(sums)
                for lane in 0..<8 { out[(y + lane) * newWidth + x] = v[lane] }
            }
            y += 8
        }
        return y
    }

    /// Rows of `width` pixels (the first one being source row `rowOffset`) → planar
    /// `[planes, starts.count, width]`, each output row accumulated across the whole row, tap by tap.
    static func verticalPass<T: ResampleSample>(_ src: UnsafePointer<T>, layout: SampleLayout, width: Int, planes: Int,
                                                rowOffset: Int, coefficients v: ResampleCoefficients,
                                                into out: UnsafeMutablePointer<Float>) {
        let ks = v.kernelSize, newHeight = v.starts.count, ps = layout.pixel
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: width)
        defer { sums.deallocate() }
        v.weights.withUnsafeBufferPointer { k in
            for p in 0..<planes {
                for y in 0..<newHeight {
                    sums.update(repeating: 0, count: width)
                    let start = v.starts[y] - rowOffset
                    for t in 0..<v.counts[y] {
                        let row = src + p * layout.plane + (start + t) * layout.row, weight = k[y * ks + t]
                        for x in 0..<width { sums[x] += row[x * ps].resampleValue * weight }
                    }
                    let dst = out + (p * newHeight + y) * width
                    for x in 0..<width { dst[x] = Float(sums[x]) }
                }
            }
        }
    }
}

/// The eight samples of one `rowsByEight` tile column, kept as `FloatLanes` or `DoubleLanes`.
protocol TileLanes {
    init(_ values: SIMD8<Double>)
    var doubles: SIMD8<Double> { get }
}

struct FloatLanes: TileLanes {
    let values: SIMD8<Float>
    @inline(__always) init(_ values: SIMD8<Double>) { self.values = SIMD8<Float>(values) }
    @inline(__always) var doubles: SIMD8<Double> { SIMD8<Double>(values) }
}

struct DoubleLanes: TileLanes {
    let values: SIMD8<Double>
    @inline(__always) init(_ values: SIMD8<Double>) { self.values = values }
    @inline(__always) var doubles: SIMD8<Double> { values }
}
