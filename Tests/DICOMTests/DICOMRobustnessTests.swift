import DICOM
import Foundation
import TestSupport
import Testing

/// Hostile DICOM input: every truncation of small files, wrong magic, lengths past the end,
/// sequences nested past the limit, absurd dimensions refused before allocation.
struct DICOMRobustnessTests {
    @Test(arguments: ["signed12_implicit.dcm", "mono1_explicit_nested.dcm", "rgb16_rle_2frames.dcm",
                      "ybr422_jpeg_2frames.dcm", "multiframe_deflated.dcm", "rgb_planar_bigendian.dcm"])
    func everyTruncationGivesATypedErrorOrAShorterValidFile(_ name: String) throws {
        let data = try Data(contentsOf: DICOMGolden.syntheticURL(name))
        for end in 0..<data.count {
            do {
                let file = try DICOMFile.parse(data.prefix(end), file: "cut.dcm")
                // A cut exactly between two elements is a valid, shorter data set; pixels must still
                // decode or fail with a typed error.
                if file.dataSet.contains(.pixelData) { _ = try PixelDecoder(file).allFrames() }
            } catch let error as DICOMError {
                #expect("\(error)".hasPrefix("cut.dcm:"), "\(error)")
            }
        }
    }

    @Test func wrongMagicIsNotDICOM() {
        #expect(throws: DICOMError.notDICOM(file: "x.dcm")) { try DICOMFile.parse(Data("hello, world, not dicom".utf8), file: "x.dcm") }
        #expect(throws: DICOMError.self) { try DICOMFile.parse(Data(), file: "empty.dcm") }
        var fake = Data(count: 128)
        fake.append(contentsOf: Array("DICM".utf8) + [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: DICOMError.self) { try DICOMFile.parse(fake, file: "fake.dcm") }
    }

    /// Explicit VR little endian element bytes.
    static func element(_ g: UInt16, _ e: UInt16, _ vr: String, _ value: [UInt8], length: UInt32? = nil) -> [UInt8] {
        var out = [UInt8(g & 0xFF), UInt8(g >> 8), UInt8(e & 0xFF), UInt8(e >> 8)] + Array(vr.utf8)
        let n = length ?? UInt32(value.count)
        if ["OB", "OW", "SQ", "UN", "UT"].contains(vr) {
            out += [0, 0] + (0..<4).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) }
        } else {
            out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF)]
        }
        return out + value
    }

    static func part10(_ body: [UInt8], syntax: String = "1.2.840.10008.1.2.1") -> Data {
        var uid = Array(syntax.utf8)
        if uid.count % 2 == 1 { uid.append(0) }
        let meta = element(0x0002, 0x0010, "UI", uid)
        let length = element(0x0002, 0x0000, "UL", (0..<4).map { UInt8(truncatingIfNeeded: UInt32(meta.count) >> (8 * $0)) })
        return Data([UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + length + meta + body)
    }

    @Test func lengthPastTheEndIsNamed() {
        let body = Self.element(0x0010, 0x0010, "PN", Array("Doe^J".utf8) + [0x20], length: 5000)
        #expect(throws: DICOMError.malformed(file: "long.dcm", offset: 172,
                                             reason: "element (0010,0010) declares 5000 bytes but 6 remain")) {
            try DICOMFile.parse(Self.part10(body), file: "long.dcm")
        }
        let pixels = Self.element(0x7FE0, 0x0010, "OW", [1, 2, 3, 4], length: 0x7FFF_FFF0)
        #expect(throws: DICOMError.self) { try DICOMFile.parse(Self.part10(pixels), file: "pixels.dcm") }
    }

    @Test func deepNestingIsRefused() {
        // 40 nested undefined-length sequences, each one item deep.
        var body: [UInt8] = []
        let item: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        for _ in 0..<40 { body += Self.element(0x0040, 0x0275, "SQ", [], length: 0xFFFF_FFFF) + item }
        #expect(throws: DICOMError.self) {
            try DICOMFile.parse(Self.part10(body), file: "deep.dcm")
        }
        do {
            _ = try DICOMFile.parse(Self.part10(body), file: "deep.dcm")
        } catch {
            #expect("\(error)".contains("nested deeper than 16 levels"))
        }
    }

    @Test func absurdDimensionsAreRefusedBeforeAllocating() throws {
        func us(_ g: UInt16, _ e: UInt16, _ v: UInt16) -> [UInt8] { Self.element(g, e, "US", [UInt8(v & 0xFF), UInt8(v >> 8)]) }
        let body = us(0x0028, 0x0002, 1) + Self.element(0x0028, 0x0004, "CS", Array("MONOCHROME2 ".utf8))
            + us(0x0028, 0x0010, 65535) + us(0x0028, 0x0011, 65535) + us(0x0028, 0x0100, 16) + us(0x0028, 0x0101, 16)
            + us(0x0028, 0x0103, 0) + Self.element(0x7FE0, 0x0010, "OW", [0, 0, 0, 0])
        let file = try DICOMFile.parse(Self.part10(body), file: "huge.dcm")
        #expect(throws: DICOMError.tooLarge(file: "huge.dcm", rows: 65535, columns: 65535, frames: 1, limitPixels: 50_000_000)) {
            try PixelDecoder(file)
        }
        let zero = us(0x0028, 0x0010, 0) + us(0x0028, 0x0011, 10) + us(0x0028, 0x0100, 8) + Self.element(0x7FE0, 0x0010, "OB", [0, 0])
        #expect(throws: DICOMError.self) { try PixelDecoder(try DICOMFile.parse(Self.part10(zero), file: "zero.dcm")) }
    }

    @Test func shortNativePixelDataIsAnError() throws {
        func us(_ g: UInt16, _ e: UInt16, _ v: UInt16) -> [UInt8] { Self.element(g, e, "US", [UInt8(v & 0xFF), UInt8(v >> 8)]) }
        let body = us(0x0028, 0x0010, 4) + us(0x0028, 0x0011, 4) + us(0x0028, 0x0100, 16)
            + Self.element(0x7FE0, 0x0010, "OW", [UInt8](repeating: 1, count: 30))
        let file = try DICOMFile.parse(Self.part10(body), file: "short.dcm")
        #expect(throws: DICOMError.malformed(file: "short.dcm", offset: 0, reason: "Pixel Data holds 30 bytes; 1 frame(s) need 32")) {
            try PixelDecoder(file)
        }
    }

    @Test func frameOutOfRangeIsNamed() throws {
        let file = try DICOMFile.read(contentsOf: DICOMGolden.syntheticURL("multiframe_deflated.dcm"))
        let decoder = try PixelDecoder(file)
        #expect(throws: DICOMError.frameOutOfRange(file: file.file, frame: 3, frames: 3)) { try decoder.frame(3) }
    }

    @Test func corruptedBytesNeverCrash() throws {
        var state: UInt64 = 7
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            return z ^ (z >> 27)
        }
        var decoded = 0, refused = 0
        for name in ["signed12_implicit.dcm", "rgb16_rle_2frames.dcm", "ybr422_jpeg_2frames.dcm", "multiframe_deflated.dcm"] {
            let original = [UInt8](try Data(contentsOf: DICOMGolden.syntheticURL(name)))
            for _ in 0..<200 {
                var bytes = original
                for _ in 0..<4 { bytes[Int(next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: next() | 1) }
                do {
                    let pixels = try PixelDecoder(DICOMFile.parse(Data(bytes), file: name)).allFrames()
                    #expect(pixels.values.count == pixels.rows * pixels.columns * pixels.frames * pixels.samplesPerPixel)
                    decoded += 1
                } catch is DICOMError {
                    refused += 1
                } catch {
                    Issue.record("\(name): an error that is not a DICOMError: \(error)")
                }
            }
        }
        // Both outcomes occur, so both paths were exercised.
        #expect(decoded > 0 && refused > 0, "decoded \(decoded), refused \(refused)")
    }
}
