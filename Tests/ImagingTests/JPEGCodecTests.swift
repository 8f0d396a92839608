import Foundation
@testable import Imaging
import TestSupport
import Testing

/// JPEG decoding against Pillow (±1 per sample): gray, 4:2:0 and 4:4:4 colour, progressive,
/// CMYK, every EXIF orientation, and DCT-domain downscaling matched to Pillow's draft mode.
struct JPEGCodecTests {
    @Test(arguments: ImagingGolden.shared.jpeg)
    func decodesLikePillowWithinOne(_ c: ImagingGolden.Decoded) throws {
        var options = JPEGDecodeOptions()
        if let size = c.minimumSize { options.minimumSize = (size[0], size[1]) }
        let data = try ImagingGolden.data(c.file)
        if c.keepCMYK == true { options.keepCMYK = true }
        let image = try JPEGCodec.decode(data, file: c.file, options: options)
        #expect(image.width == c.width && image.height == c.height)
        #expect(image.colorModel.rawValue == c.colorModel)
        let expected = try ImagingGolden.uint8(c.expected)
        let actual = try #require(image.uint8Samples)
        try #require(actual.count == expected.count)
        let worst = zip(actual, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 1, "max |Δ| = \(worst)")
    }

    @Test func headerReportsProgressiveColourSpaceAndOrientation() throws {
        let p = try JPEGCodec.readInfo(try ImagingGolden.data("jpeg/rgb_progressive.jpg"), file: "p")
        #expect(p.progressive && p.components == 3 && p.colorSpace == "ycbcr" && p.orientation == .up)
        let r = try JPEGCodec.readInfo(try ImagingGolden.data("jpeg/exif_orientation6.jpg"), file: "r")
        #expect(!r.progressive && r.orientation == .rotatedClockwise)
        let k = try JPEGCodec.readInfo(try ImagingGolden.data("jpeg/cmyk.jpg"), file: "k")
        #expect(k.components == 4 && k.colorSpace == "cmyk")
    }
}
