/// Sample-level colour conversions with Pillow's integer formulas (so 8-bit results match).
enum ColorConversion {
    static func invert(_ samples: inout [UInt8]) {
        samples.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = 255 &- p[i] }
        }
    }

    /// Pillow's `cmyk2rgb`: channel = (255 − K) − C·(255 − K)/255, rounded as MULDIV255.
    /// - Returns: interleaved RGB, `pixels` × 3 samples.
    static func cmykToRGB(_ cmyk: [UInt8], pixels: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: pixels * 3) { out, n in
            cmyk.withUnsafeBufferPointer { src in
                for i in 0..<pixels {
                    let nk = 255 - Int(src[i * 4 + 3])
                    for c in 0..<3 {
                        let t = Int(src[i * 4 + c]) * nk + 128
                        let v = nk - (((t >> 8) + t) >> 8)
                        out[i * 3 + c] = UInt8(clamping: v)
                    }
                }
            }
            n = pixels * 3
        }
    }

    /// Pillow's `rgb2l` (ITU-R 601-2 luma in 16.16 fixed point). `stride` is 3 or 4 (alpha ignored).
    static func rgbToGray(_ rgb: [UInt8], pixels: Int, stride: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: pixels) { out, n in
            rgb.withUnsafeBufferPointer { src in
                for i in 0..<pixels {
                    let s = i * stride
                    let l = Int(src[s]) * 19595 + Int(src[s + 1]) * 38470 + Int(src[s + 2]) * 7471 + 0x8000
                    out[i] = UInt8(truncatingIfNeeded: l >> 16)
                }
            }
            n = pixels
        }
    }
}

extension Image {
    /// The image with one luminance channel (alpha dropped). 8-bit RGB uses Pillow's "L"
    /// conversion; 16-bit and float use 0.299 R + 0.587 G + 0.114 B. Gray images are returned as is.
    /// - Returns: same sample type, `.gray`.
    public func grayscale() -> Image {
        switch colorModel {
        case .gray: return self
        case .grayAlpha: return selectingChannels([0], as: .gray)
        case .rgb, .rgba:
            switch samples {
            case .uint8(let a):
                return Image(width: width, height: height, colorModel: .gray,
                             samples: .uint8(ColorConversion.rgbToGray(a, pixels: pixelCount, stride: channels)))
            case .uint16(let a):
                let c = channels
                let out = [UInt16](unsafeUninitializedCapacity: pixelCount) { o, n in
                    for i in 0..<pixelCount {
                        let v = 0.299 * Float(a[i * c]) + 0.587 * Float(a[i * c + 1]) + 0.114 * Float(a[i * c + 2])
                        o[i] = UInt16(min(65535, max(0, v.rounded())))
                    }
                    n = pixelCount
                }
                return Image(width: width, height: height, colorModel: .gray, samples: .uint16(out))
            case .float32(let a):
                let plane = pixelCount
                let out = [Float](unsafeUninitializedCapacity: plane) { o, n in
                    for i in 0..<plane { o[i] = 0.299 * a[i] + 0.587 * a[plane + i] + 0.114 * a[2 * plane + i] }
                    n = plane
                }
                return Image(width: width, height: height, colorModel: .gray, samples: .float32(out))
            }
        }
    }

    /// The image as three colour channels (gray replicated, alpha dropped).
    /// - Returns: same sample type, `.rgb`.
    public func rgb() -> Image {
        switch colorModel {
        case .rgb: return self
        case .rgba: return selectingChannels([0, 1, 2], as: .rgb)
        case .gray, .grayAlpha: return selectingChannels([0, 0, 0], as: .rgb)
        }
    }

    /// Drops the alpha channel, if any.
    public func droppingAlpha() -> Image {
        switch colorModel {
        case .gray, .rgb: self
        case .grayAlpha: selectingChannels([0], as: .gray)
        case .rgba: selectingChannels([0, 1, 2], as: .rgb)
        }
    }

    /// A new image whose channel k is this image's channel `indices[k]`.
    func selectingChannels(_ indices: [Int], as model: ColorModel) -> Image {
        let c = channels, n = pixelCount, k = indices.count
        func pick<T>(_ a: [T], planar: Bool) -> [T] {
            [T](unsafeUninitializedCapacity: n * k) { out, count in
                a.withUnsafeBufferPointer { src in
                    for (j, ch) in indices.enumerated() {
                        if planar {
                            for i in 0..<n { out[j * n + i] = src[ch * n + i] }
                        } else {
                            for i in 0..<n { out[i * k + j] = src[i * c + ch] }
                        }
                    }
                }
                count = n * k
            }
        }
        switch samples {
        case .uint8(let a): return Image(width: width, height: height, colorModel: model, samples: .uint8(pick(a, planar: false)))
        case .uint16(let a): return Image(width: width, height: height, colorModel: model, samples: .uint16(pick(a, planar: false)))
        case .float32(let a): return Image(width: width, height: height, colorModel: model, samples: .float32(pick(a, planar: true)))
        }
    }

    /// The samples as planar Float32 (`[channels, height, width]`), values unchanged (0–255 or 0–65535).
    public func planarFloat() -> Image {
        let c = channels, n = pixelCount
        func convert<T: BinaryInteger>(_ a: [T]) -> [Float] {
            [Float](unsafeUninitializedCapacity: n * c) { out, count in
                a.withUnsafeBufferPointer { src in
                    for ch in 0..<c { for i in 0..<n { out[ch * n + i] = Float(src[i * c + ch]) } }
                }
                count = n * c
            }
        }
        switch samples {
        case .float32: return self
        case .uint8(let a): return Image(width: width, height: height, colorModel: colorModel, samples: .float32(convert(a)))
        case .uint16(let a): return Image(width: width, height: height, colorModel: colorModel, samples: .float32(convert(a)))
        }
    }

    /// Interleaved 8-bit samples: floats are rounded and clamped to 0–255; 16-bit samples keep
    /// their high byte (use `windowed` to map a 16-bit range to 8 bits instead).
    public func interleavedUInt8() -> Image {
        let c = channels, n = pixelCount
        switch samples {
        case .uint8: return self
        case .uint16(let a):
            return Image(width: width, height: height, colorModel: colorModel, samples: .uint8(a.map { UInt8($0 >> 8) }))
        case .float32(let a):
            let out = [UInt8](unsafeUninitializedCapacity: n * c) { o, count in
                a.withUnsafeBufferPointer { src in
                    for ch in 0..<c {
                        for i in 0..<n {
                            let v = src[ch * n + i]
                            o[i * c + ch] = v.isNaN ? 0 : UInt8(min(255, max(0, v.rounded())))
                        }
                    }
                }
                count = n * c
            }
            return Image(width: width, height: height, colorModel: colorModel, samples: .uint8(out))
        }
    }

    /// Interleaved 16-bit samples: floats are rounded and clamped to 0–65535; 8-bit samples are
    /// scaled by 257 (0 → 0, 255 → 65535).
    public func interleavedUInt16() -> Image {
        let c = channels, n = pixelCount
        switch samples {
        case .uint16: return self
        case .uint8(let a):
            return Image(width: width, height: height, colorModel: colorModel, samples: .uint16(a.map { UInt16($0) * 257 }))
        case .float32(let a):
            let out = [UInt16](unsafeUninitializedCapacity: n * c) { o, count in
                a.withUnsafeBufferPointer { src in
                    for ch in 0..<c {
                        for i in 0..<n {
                            let v = src[ch * n + i]
                            o[i * c + ch] = v.isNaN ? 0 : UInt16(min(65535, max(0, v.rounded())))
                        }
                    }
                }
                count = n * c
            }
            return Image(width: width, height: height, colorModel: colorModel, samples: .uint16(out))
        }
    }
}
