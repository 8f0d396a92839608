import Foundation
import Imaging
import TestSupport
import Testing

/// PNG decoding against Pillow on every colour type and bit depth (exact), and encoding round trips.
struct PNGCodecTests {
    @Test(arguments: ImagingGolden.shared.png)
    func decodesLikePillow(_ c: ImagingGolden.Decoded) throws {
        let image = try PNGCodec.decode(try ImagingGolden.data(c.file), file: c.file)
        #expect(image.width == c.width && image.height == c.height)
        #expect(image.colorModel.rawValue == c.colorModel)
        #expect(image.bitDepth == c.bitDepth)
        if c.bitDepth == 16 {
            #expect(image.uint16Samples == (try ImagingGolden.uint16(c.expected)))
        } else {
            #expect(image.uint8Samples == (try ImagingGolden.uint8(c.expected)))
        }
    }

    @Test func headerDescribesTheFileWithoutDecoding() throws {
        let info = try PNGCodec.readInfo(try ImagingGolden.data("png/palette4_trns.png"), file: "p.png")
        #expect(info.width == 13 && info.height == 7 && info.bitDepth == 4 && info.colorType == 3)
        #expect(info.colorModel == .rgba && !info.interlaced)
        #expect(try PNGCodec.readInfo(try ImagingGolden.data("png/rgba16_adam7.png"), file: "x").interlaced)
    }

    @Test(arguments: [Image.ColorModel.gray, .grayAlpha, .rgb, .rgba])
    func encodesAndDecodesBack8Bit(_ model: Image.ColorModel) throws {
        let (w, h) = (17, 9)
        let samples = (0..<(w * h * model.channels)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let image = Image(width: w, height: h, colorModel: model, samples: .uint8(samples))
        let data = try PNGCodec.encode(image)
        #expect(try PNGCodec.decode(data, file: "roundtrip.png") == image)
    }

    @Test func encodes16BitGrayExactly() throws {
        let samples = (0..<(31 * 5)).map { UInt16(truncatingIfNeeded: $0 &* 4099 &+ 7) }
        let image = Image(width: 31, height: 5, colorModel: .gray, samples: .uint16(samples))
        let back = try PNGCodec.decode(try PNGCodec.encode(image), file: "roundtrip16.png")
        #expect(back == image)
    }

    @Test func refusesToEncodeFloat() {
        let image = Image(width: 1, height: 1, colorModel: .gray, samples: .float32([0.5]))
        #expect(throws: ImagingError.self) { try PNGCodec.encode(image, file: "out.png") }
    }
}
