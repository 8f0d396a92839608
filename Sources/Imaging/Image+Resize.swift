extension Image {
    /// Resizes like Pillow's `Image.resize(size, filter)` (no box, no reducing_gap): 8-bit images
    /// with Pillow's fixed-point two-pass resampling (horizontal then vertical, 8-bit intermediate),
    /// 16-bit and float images in double precision like Pillow's "F" mode. Nearest uses Pillow's
    /// affine scaling. Alpha is resampled like any channel (not premultiplied).
    /// - Returns: `.uint8` for 8-bit input, planar `.float32` otherwise; `width` × `height`.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResizeFilter) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "resize to \(newWidth)x\(newHeight)")
        if newWidth == width && newHeight == height {
            if case .uint16 = samples { return planarFloat() }
            return self
        }
        if filter == .nearest { return nearest(width: newWidth, height: newHeight) }
        let horizontal = ResampleCoefficients(inputSize: width, outputSize: newWidth, filter: filter)
        let vertical = ResampleCoefficients(inputSize: height, outputSize: newHeight, filter: filter)
        switch samples {
        case .uint8(let a):
            let out = Resample8.resize(a, width: width, height: height, channels: channels,
                                       newWidth: newWidth, newHeight: newHeight, horizontal: horizontal, vertical: vertical)
            return Image(width: newWidth, height: newHeight, colorModel: colorModel, samples: .uint8(out))
        case .uint16:
            return planarFloat().resized(width: newWidth, height: newHeight, filter: filter)
        case .float32(let a):
            let out = ResampleFloat.resize(a, width: width, height: height, planes: channels,
                                           newWidth: newWidth, newHeight: newHeight, horizontal: horizontal, vertical: vertical)
            return Image(width: newWidth, height: newHeight, colorModel: colorModel, samples: .float32(out))
        }
    }

    /// Pillow's `ImagingScaleAffine` nearest lookup, including its accumulated float steps.
    private func nearest(width newWidth: Int, height newHeight: Int) -> Image {
        func table(_ inSize: Int, _ outSize: Int) -> [Int] {
            let step = Double(inSize) / Double(outSize)
            var position = step * 0.5
            var out = [Int](repeating: 0, count: outSize)
            for i in 0..<outSize {
                out[i] = min(inSize - 1, max(0, position < 0 ? -1 : Int(position)))
                position += step
            }
            return out
        }
        let xs = table(width, newWidth), ys = table(height, newHeight)
        let c = channels, w = width, h = height
        func gather<T>(_ a: [T], planar: Bool) -> [T] {
            [T](unsafeUninitializedCapacity: newWidth * newHeight * c) { out, n in
                a.withUnsafeBufferPointer { src in
                    if planar {
                        for p in 0..<c {
                            for y in 0..<newHeight {
                                let row = p * w * h + ys[y] * w, o = p * newWidth * newHeight + y * newWidth
                                for x in 0..<newWidth { out[o + x] = src[row + xs[x]] }
                            }
                        }
                    } else {
                        for y in 0..<newHeight {
                            let row = ys[y] * w
                            for x in 0..<newWidth {
                                let s = (row + xs[x]) * c, d = (y * newWidth + x) * c
                                for k in 0..<c { out[d + k] = src[s + k] }
                            }
                        }
                    }
                }
                n = newWidth * newHeight * c
            }
        }
        switch samples {
        case .uint8(let a):
            return Image(width: newWidth, height: newHeight, colorModel: colorModel, samples: .uint8(gather(a, planar: false)))
        case .uint16:
            return planarFloat().nearest(width: newWidth, height: newHeight)
        case .float32(let a):
            return Image(width: newWidth, height: newHeight, colorModel: colorModel, samples: .float32(gather(a, planar: true)))
        }
    }
}

/// Pillow's 8-bit resampling (`ImagingResampleHorizontal_8bpc` / `Vertical_8bpc`) on interleaved samples.
enum Resample8 {
    @inline(__always)
    static func clip8(_ v: Int) -> UInt8 {
        let bits = ResampleCoefficients.precisionBits
        if v >= (1 << bits) << 8 { return 255 }
        if v <= 0 { return 0 }
        return UInt8(truncatingIfNeeded: v >> bits)
    }

    static func resize(_ input: [UInt8], width: Int, height: Int, channels c: Int, newWidth: Int, newHeight: Int,
                       horizontal: ResampleCoefficients, vertical: ResampleCoefficients) -> [UInt8] {
        let half = 1 << (ResampleCoefficients.precisionBits - 1)
        // Rows the vertical pass reads.
        let firstRow = newHeight == height ? 0 : vertical.starts[0]
        let lastRow = newHeight == height ? height : vertical.starts[newHeight - 1] + vertical.counts[newHeight - 1]
        var current = input
        var currentWidth = width, rowOffset = 0
        if newWidth != width {
            let kh = horizontal.fixedPoint(), ks = horizontal.kernelSize
            let rows = lastRow - firstRow
            current = [UInt8](unsafeUninitializedCapacity: rows * newWidth * c) { out, n in
                input.withUnsafeBufferPointer { src in
                    kh.withUnsafeBufferPointer { k in
                        for y in 0..<rows {
                            let srcRow = (y + firstRow) * width * c, dstRow = y * newWidth * c
                            for x in 0..<newWidth {
                                let start = horizontal.starts[x], taps = horizontal.counts[x], kb = x * ks
                                for ch in 0..<c {
                                    var ss = half
                                    var s = srcRow + start * c + ch
                                    for t in 0..<taps {
                                        ss += Int(src[s]) * Int(k[kb + t])
                                        s += c
                                    }
                                    out[dstRow + x * c + ch] = clip8(ss)
                                }
                            }
                        }
                    }
                }
                n = rows * newWidth * c
            }
            currentWidth = newWidth
            rowOffset = firstRow
        }
        if newHeight == height { return current }
        let kv = vertical.fixedPoint(), ks = vertical.kernelSize
        let rowLength = currentWidth * c
        return [UInt8](unsafeUninitializedCapacity: newHeight * rowLength) { out, n in
            current.withUnsafeBufferPointer { src in
                kv.withUnsafeBufferPointer { k in
                    for y in 0..<newHeight {
                        let start = vertical.starts[y] - rowOffset, taps = vertical.counts[y], kb = y * ks
                        for i in 0..<rowLength {
                            var ss = half
                            var s = start * rowLength + i
                            for t in 0..<taps {
                                ss += Int(src[s]) * Int(k[kb + t])
                                s += rowLength
                            }
                            out[y * rowLength + i] = clip8(ss)
                        }
                    }
                }
            }
            n = newHeight * rowLength
        }
    }
}

/// Pillow's float resampling ("F" mode: double accumulation, float32 storage) on planar samples.
enum ResampleFloat {
    static func resize(_ input: [Float], width: Int, height: Int, planes: Int, newWidth: Int, newHeight: Int,
                       horizontal: ResampleCoefficients, vertical: ResampleCoefficients) -> [Float] {
        let firstRow = newHeight == height ? 0 : vertical.starts[0]
        let lastRow = newHeight == height ? height : vertical.starts[newHeight - 1] + vertical.counts[newHeight - 1]
        var current = input
        var currentWidth = width, currentHeight = height, rowOffset = 0
        if newWidth != width {
            let rows = lastRow - firstRow, ks = horizontal.kernelSize
            current = [Float](unsafeUninitializedCapacity: planes * rows * newWidth) { out, n in
                input.withUnsafeBufferPointer { src in
                    horizontal.weights.withUnsafeBufferPointer { k in
                        for p in 0..<planes {
                            for y in 0..<rows {
                                let srcRow = p * width * height + (y + firstRow) * width
                                let dstRow = p * rows * newWidth + y * newWidth
                                for x in 0..<newWidth {
                                    let start = srcRow + horizontal.starts[x], kb = x * ks
                                    var ss = 0.0
                                    for t in 0..<horizontal.counts[x] { ss += Double(src[start + t]) * k[kb + t] }
                                    out[dstRow + x] = Float(ss)
                                }
                            }
                        }
                    }
                }
                n = planes * rows * newWidth
            }
            currentWidth = newWidth
            currentHeight = rows
            rowOffset = firstRow
        }
        if newHeight == height { return current }
        let ks = vertical.kernelSize
        return [Float](unsafeUninitializedCapacity: planes * newHeight * currentWidth) { out, n in
            current.withUnsafeBufferPointer { src in
                vertical.weights.withUnsafeBufferPointer { k in
                    for p in 0..<planes {
                        let plane = p * currentWidth * currentHeight
                        for y in 0..<newHeight {
                            let start = vertical.starts[y] - rowOffset, kb = y * ks
                            let dst = p * newHeight * currentWidth + y * currentWidth
                            for x in 0..<currentWidth {
                                var ss = 0.0
                                var s = plane + start * currentWidth + x
                                for t in 0..<vertical.counts[y] {
                                    ss += Double(src[s]) * k[kb + t]
                                    s += currentWidth
                                }
                                out[dst + x] = Float(ss)
                            }
                        }
                    }
                }
            }
            n = planes * newHeight * currentWidth
        }
    }
}
