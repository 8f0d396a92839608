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
        case .uint16(let a):
            // Read as they are: converting to float first would give the same sums, one pass later.
            let out = ResampleFloat.resize(a, layout: .interleaved(width: width, channels: channels), width: width,
                                           height: height, planes: channels, newWidth: newWidth, newHeight: newHeight,
                                           horizontal: horizontal, vertical: vertical)
            return Image(width: newWidth, height: newHeight, colorModel: colorModel, samples: .float32(out))
        case .float32(let a):
            let out = ResampleFloat.resize(a, layout: .planar(width: width, height: height), width: width,
                                           height: height, planes: channels, newWidth: newWidth, newHeight: newHeight,
                                           horizontal: horizontal, vertical: vertical)
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
