import Foundation
import Imaging
import ModelRuntime
import TestSupport
import Testing

/// Hostile input: every truncation of a small PNG and JPEG, wrong magic, zero and absurd sizes,
/// and the pixel limit enforced before any pixel memory is allocated.
struct RobustnessTests {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
        }
        return ~c
    }

    /// A PNG whose IHDR declares `width` × `height` (8-bit gray) with a valid CRC and a tiny IDAT.
    static func pngDeclaring(width: UInt32, height: UInt32) -> Data {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let t = Array(type.utf8)
            return be(UInt32(body.count)) + t + body + be(crc32(t + body))
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", be(width) + be(height) + [8, 0, 0, 0, 0])
        png += chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        png += chunk("IEND", [])
        return Data(png)
    }

    @Test func everyTruncatedPNGThrowsATypedErrorNamingTheFile() throws {
        let data = try ImagingGolden.data("png/rgb8_adam7.png")
        for end in 0..<data.count {
            #expect(throws: ImagingError.self, "prefix of \(end) bytes") {
                _ = try PNGCodec.decode(data.prefix(end), file: "cut.png")
            }
        }
        do {
            _ = try PNGCodec.decode(data.prefix(data.count / 2), file: "cut.png")
        } catch {
            #expect("\(error)".hasPrefix("cut.png: corrupt PNG"))
        }
    }

    @Test func everyTruncatedJPEGThrowsATypedError() throws {
        for file in ["jpeg/rgb_420.jpg", "jpeg/rgb_progressive.jpg"] {
            let data = try ImagingGolden.data(file)
            for end in 0..<(data.count - 2) {  // without the final EOI marker libjpeg has all the data
                #expect(throws: ImagingError.self, "\(file): prefix of \(end) bytes") {
                    _ = try JPEGCodec.decode(data.prefix(end), file: "cut.jpg")
                }
            }
        }
    }

    @Test func wrongMagicIsNamed() {
        let junk = Data("GIF89a not a png".utf8)
        #expect(throws: ImagingError.corrupt(file: "a.png", format: "PNG", reason: "not a PNG file (bad signature)")) {
            try PNGCodec.decode(junk, file: "a.png")
        }
        #expect(throws: ImagingError.corrupt(file: "a.jpg", format: "JPEG", reason: "not a JPEG file (no SOI marker)")) {
            try JPEGCodec.decode(junk, file: "a.jpg")
        }
        #expect(throws: ImagingError.unknownFormat(file: "a.gif")) { try ImageFile.decode(junk, file: "a.gif") }
    }

    @Test func zeroSizedPNGIsRefused() {
        #expect(throws: ImagingError.self) { try PNGCodec.decode(Self.pngDeclaring(width: 0, height: 5), file: "zero.png") }
    }

    @Test func absurdPNGSizeIsRefusedBeforeAllocating() {
        // 1,000,000 × 1,000,000 pixels would be a terabyte; refused from the header alone.
        #expect(throws: ImagingError.tooLarge(file: "huge.png", width: 1_000_000, height: 1_000_000, limitPixels: 50_000_000)) {
            try PNGCodec.decode(Self.pngDeclaring(width: 1_000_000, height: 1_000_000), file: "huge.png")
        }
        // Beyond libpng's own limit: still a typed error.
        #expect(throws: ImagingError.self) {
            try PNGCodec.decode(Self.pngDeclaring(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF), file: "huger.png")
        }
    }

    @Test func pixelLimitIsConfigurable() throws {
        let data = try ImagingGolden.data("png/rgb8.png")  // 13 × 7 = 91 pixels
        #expect(throws: ImagingError.tooLarge(file: "x.png", width: 13, height: 7, limitPixels: 90)) {
            try PNGCodec.decode(data, file: "x.png", limits: DecodeLimits(maxPixels: 90))
        }
        _ = try PNGCodec.decode(data, file: "x.png", limits: DecodeLimits(maxPixels: 91))
        let jpeg = try ImagingGolden.data("jpeg/rgb_420.jpg")  // 37 × 23
        #expect(throws: ImagingError.tooLarge(file: "x.jpg", width: 37, height: 23, limitPixels: 100)) {
            try JPEGCodec.decode(jpeg, file: "x.jpg", limits: DecodeLimits(maxPixels: 100))
        }
    }

    @Test func absurdJPEGSizeIsRefusedBeforeAllocating() throws {
        // Patch the SOF0 frame size of a real file to 65000 × 65000.
        var bytes = [UInt8](try ImagingGolden.data("jpeg/rgb_420.jpg"))
        let sof = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = 0xFD; bytes[sof + 6] = 0xE8; bytes[sof + 7] = 0xFD; bytes[sof + 8] = 0xE8
        #expect(throws: ImagingError.tooLarge(file: "big.jpg", width: 65000, height: 65000, limitPixels: 50_000_000)) {
            try JPEGCodec.decode(Data(bytes), file: "big.jpg")
        }
    }

    @Test func corruptedBytesNeverCrash() throws {
        // Deterministic bit flips across both decoders: a consistent image or an ImagingError, never a crash.
        var rng = SeededGenerator(seed: 42)
        var decoded = 0, refused = 0
        for file in ["png/palette4_trns.png", "png/gray16_adam7.png", "jpeg/rgb_progressive.jpg", "jpeg/cmyk.jpg"] {
            let original = [UInt8](try ImagingGolden.data(file))
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<3 { bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
                do {
                    let image = try ImageFile.decode(Data(bytes), file: file)
                    #expect(image.width > 0 && image.height > 0)
                    decoded += 1
                } catch is ImagingError {
                    refused += 1
                } catch {
                    Issue.record("\(file): an error that is not an ImagingError: \(error)")
                }
            }
        }
        #expect(decoded > 0 && refused > 0, "decoded \(decoded), refused \(refused)")
    }
}
