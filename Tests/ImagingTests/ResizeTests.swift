import Foundation
import Imaging
import TestSupport
import Testing

/// Resize parity with Pillow's `Image.resize` (nearest, bilinear, bicubic; antialiased when
/// reducing): ±1 on 8-bit data; on float data within one unit in the last place of Pillow's
/// value (both sum the taps in order in Double; the float32 results differ at most in the last bit).
struct ResizeTests {
    static func source(_ c: ImagingGolden.Resize) throws -> Image {
        let model: Image.ColorModel = c.channels == 1 ? .gray : .rgb
        if c.source == "pattern1000" {
            var a = [UInt8](repeating: 0, count: 1_000_000)
            for y in 0..<1000 { for x in 0..<1000 { a[y * 1000 + x] = UInt8((x * 7 + y * 13 + (x * y) % 31) % 256) } }
            return Image(width: 1000, height: 1000, colorModel: .gray, samples: .uint8(a))
        }
        if c.float {
            return Image(width: c.sourceWidth, height: c.sourceHeight, colorModel: model,
                         samples: .float32(try ImagingGolden.float32(c.source)))
        }
        return Image(width: c.sourceWidth, height: c.sourceHeight, colorModel: model,
                     samples: .uint8(try ImagingGolden.uint8(c.source)))
    }

    @Test(arguments: ImagingGolden.shared.resize)
    func resizesLikePillow(_ c: ImagingGolden.Resize) throws {
        let filter = try #require(ResizeFilter(rawValue: c.filter))
        let out = try Self.source(c).resized(width: c.width, height: c.height, filter: filter)
        #expect(out.width == c.width && out.height == c.height)
        if c.float {
            let expected = try ImagingGolden.float32(c.expected)
            let actual = try #require(out.floatSamples)
            try #require(actual.count == expected.count)
            let off = zip(actual, expected).filter { abs($0 - $1) > $1.ulp }
            #expect(off.isEmpty, "\(off.count) values more than one ulp away, e.g. \(off.first.map { "\($0)" } ?? "")")
        } else {
            let expected = try ImagingGolden.uint8(c.expected)
            let actual = try #require(out.uint8Samples)
            try #require(actual.count == expected.count)
            let worst = zip(actual, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(worst <= 1, "max |Δ| = \(worst)")
        }
    }

    @Test func sixteenBitResizesAsFloat() {
        let image = Image(width: 4, height: 2, colorModel: .gray, samples: .uint16([0, 1000, 2000, 3000, 4000, 5000, 6000, 65535]))
        let out = image.resized(width: 2, height: 1, filter: .bilinear)
        #expect(out.floatSamples != nil && out.width == 2 && out.height == 1)
    }

    /// Float rows are resampled eight at a time, four outputs side by side: a horizontal-only
    /// resize must equal resizing each row on its own (the one-row path), exactly, since both
    /// sum every output's taps in order.
    @Test(arguments: [(2048, 21, 28), (97, 19, 3), (97, 16, 60), (61, 9, 97), (300, 8, 7)])
    func floatRowsByEightMatchTheOneRowPath(_ c: (Int, Int, Int)) {
        let (width, height, newWidth) = c
        let samples = (0..<(width * height)).map { Float(($0 * 7919) % 1000) / 997 }
        let image = Image(width: width, height: height, colorModel: .gray, samples: .float32(samples))
        for filter in [ResizeFilter.bilinear, .bicubic] {
            let whole = image.resized(width: newWidth, height: height, filter: filter).floatSamples ?? []
            let byRow = (0..<height).flatMap { y in
                Image(width: width, height: 1, colorModel: .gray, samples: .float32(Array(samples[(y * width)..<((y + 1) * width)])))
                    .resized(width: newWidth, height: 1, filter: filter).floatSamples ?? []
            }
            #expect(whole.count == newWidth * height && whole == byRow, "\(c) \(filter)")
        }
    }

    /// A row source resizes to exactly the values of its image (rows made eight at a time),
    /// crops like `Image.centerCropped`, and shows every row once, in order, to `eachRow`.
    @Test(arguments: [(61, 47, 12, 12), (2048, 19, 28, 5), (40, 40, 40, 13), (40, 40, 40, 40), (13, 9, 30, 20)])
    func rowSourceResizesAsItsImage(_ c: (Int, Int, Int, Int)) {
        let (width, height, newWidth, newHeight) = c
        let samples = (0..<(width * height)).map { Float(($0 * 7919) % 1000) / 997 }
        let rows = RowSource(width: width, height: height) { y, x, n, out in
            for i in 0..<n { out[i] = samples[y * width + x + i] }
        }
        let image = Image(width: width, height: height, colorModel: .gray, samples: .float32(samples))
        #expect(rows.image().floatSamples == samples)
        for filter in [ResizeFilter.bilinear, .bicubic, .nearest] {
            var seen: [Float] = []
            let out = rows.resized(width: newWidth, height: newHeight, filter: filter) { row in
                seen += UnsafeBufferPointer(start: row, count: width)
            }
            #expect(out.floatSamples == image.resized(width: newWidth, height: newHeight, filter: filter).floatSamples, "\(c) \(filter)")
            #expect(seen == samples, "\(c) \(filter): every row once, in order")
        }
        let side = min(width, height)
        #expect(rows.centerCropped(width: side, height: side).image().floatSamples
                == image.centerCropped(width: side, height: side).floatSamples)
    }

    /// Gray 8-bit rows are resampled eight at a time: every channel of the same image as RGB
    /// (one row at a time) must come out exactly the same.
    @Test(arguments: [(37, 53, 28, 28), (1000, 1000, 224, 224), (61, 47, 97, 80), (256, 256, 224, 224), (100, 100, 23, 100)])
    func grayRowsMatchTheOneRowPath(_ c: (Int, Int, Int, Int)) {
        let samples = (0..<(c.0 * c.1)).map { UInt8(truncatingIfNeeded: ($0 * 37) ^ ($0 >> 5)) }
        let gray = Image(width: c.0, height: c.1, colorModel: .gray, samples: .uint8(samples))
        for filter in [ResizeFilter.bilinear, .bicubic] {
            let out = gray.resized(width: c.2, height: c.3, filter: filter).uint8Samples ?? []
            let rgb = gray.rgb().resized(width: c.2, height: c.3, filter: filter).uint8Samples ?? []
            #expect(out.count == c.2 * c.3 && out == stride(from: 0, to: rgb.count, by: 3).map { rgb[$0] }, "\(c) \(filter)")
        }
    }

    /// 16-bit samples are resampled where they are (interleaved), not converted to float first:
    /// the sums must be exactly those of the float image.
    @Test(arguments: [(23, 17), (97, 17), (23, 61), (150, 130)])
    func sixteenBitResizesExactlyAsItsFloatImage(_ size: (Int, Int)) {
        for model in [Image.ColorModel.gray, .rgb] {
            let count = 97 * 61 * model.channels
            let samples = (0..<count).map { UInt16(truncatingIfNeeded: ($0 * 7919) % 65536) }
            let image = Image(width: 97, height: 61, colorModel: model, samples: .uint16(samples))
            for filter in [ResizeFilter.bilinear, .bicubic] {
                let direct = image.resized(width: size.0, height: size.1, filter: filter)
                let viaFloat = image.planarFloat().resized(width: size.0, height: size.1, filter: filter)
                #expect(direct.floatSamples == viaFloat.floatSamples, "\(model) \(filter) → \(size)")
            }
        }
    }
}
