import DICOM
import Foundation
@testable import Imaging
import TestSupport
import Testing

/// The byte bound of `DecodeLimits` and the reduced PNG path (`PNGCodec.decodeReduced`): the
/// streamed box reduction equals a plain-loop reduction of the whole decode, and files over the
/// bound are refused with the file, the size and the limit unless reduction is asked for.
struct ReducedDecodeTests {
    /// A `width` × `height` interleaved image whose samples vary smoothly with some noise.
    static func image(width: Int, height: Int, model: Image.ColorModel, sixteenBit: Bool) -> Image {
        let c = model.channels
        var state: UInt64 = 0x9E37_79B9
        func sample(_ x: Int, _ y: Int, _ k: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Int(state >> 59)  // 0…31
            return (x * 7 + y * 3 + k * 40 + noise) % 256
        }
        var values = [Int]()
        for y in 0..<height { for x in 0..<width { for k in 0..<c { values.append(sample(x, y, k)) } } }
        return Image(width: width, height: height, colorModel: model,
                     samples: sixteenBit ? .uint16(values.map { UInt16($0 * 257 - $0 % 7) }) : .uint8(values.map { UInt8($0) }))
    }

    /// The reference: mean of each whole `factor` × `factor` block, the remainder dropped half on each side, rounded half up.
    static func boxReference(_ image: Image, factor: Int) -> [Int] {
        let values: [Int] = switch image.samples {
        case .uint8(let a): a.map(Int.init)
        case .uint16(let a): a.map(Int.init)
        case .float32: []
        }
        let c = image.channels, ow = image.width / factor, oh = image.height / factor
        let left = (image.width % factor) / 2, top = (image.height % factor) / 2
        var out = [Int]()
        for oy in 0..<oh {
            for ox in 0..<ow {
                for k in 0..<c {
                    var sum = 0, count = 0
                    for y in (top + oy * factor)..<(top + oy * factor + factor) {
                        for x in (left + ox * factor)..<(left + ox * factor + factor) {
                            sum += values[(y * image.width + x) * c + k]
                            count += 1
                        }
                    }
                    out.append((sum + count / 2) / count)
                }
            }
        }
        return out
    }

    @Test(arguments: [(Image.ColorModel.rgba, true), (.rgb, false), (.gray, true), (.grayAlpha, false)])
    func streamedReductionEqualsBoxMeanOfTheWholeDecode(model: Image.ColorModel, sixteenBit: Bool) throws {
        let source = Self.image(width: 103, height: 77, model: model, sixteenBit: sixteenBit)
        let png = try PNGCodec.encode(source)
        let whole = try PNGCodec.decode(png, file: "s.png")
        #expect(whole == source)
        // 103 / 10 = 10, 77 / 10 = 7: factor 7, output ⌊103/7⌋ × ⌊77/7⌋ = 14 × 11.
        let reduced = try PNGCodec.decodeReduced(png, file: "s.png", minimumSize: (10, 10), limits: .default)
        #expect(reduced.width == 14 && reduced.height == 11 && reduced.colorModel == model && reduced.bitDepth == whole.bitDepth)
        let got: [Int] = switch reduced.samples {
        case .uint8(let a): a.map(Int.init)
        case .uint16(let a): a.map(Int.init)
        case .float32: []
        }
        #expect(got == Self.boxReference(whole, factor: 7))
    }

    @Test func overTheByteLimitIsRefusedNamingFileSizeAndLimitUnlessReductionIsAsked() throws {
        let png = try PNGCodec.encode(Self.image(width: 64, height: 48, model: .rgba, sixteenBit: true))
        let limits = DecodeLimits(maxDecodedBytes: 10_000)  // the image is 64 × 48 × 4 × 2 = 24 576 bytes
        let refusal = ImagingError.tooManyBytes(file: "big.png", width: 64, height: 48, bytes: 24_576, limitBytes: 10_000)
        #expect(throws: refusal) { try PNGCodec.decode(png, file: "big.png", limits: limits) }
        #expect(throws: refusal) { try ImageFile.decode(png, file: "big.png", options: ImageReadOptions(limits: limits)) }
        #expect(refusal.description.contains("big.png") && refusal.description.contains("64x48")
                && refusal.description.contains("24576") && refusal.description.contains("10000"))
        let reduced = try ImageFile.decode(png, file: "big.png", options: ImageReadOptions(limits: limits, reduceToAtLeast: (16, 16)))
        #expect(reduced.width == 21 && reduced.height == 16)  // factor 3
        // Within the limit, reduction is not used: the whole image, as `decode` gives it.
        let whole = try ImageFile.decode(png, file: "big.png", options: ImageReadOptions(reduceToAtLeast: (16, 16)))
        #expect(whole == (try PNGCodec.decode(png, file: "big.png")))
    }

    @Test func corruptRowsInTheStreamedPathAreATypedError() throws {
        var png = try PNGCodec.encode(Self.image(width: 64, height: 48, model: .rgb, sixteenBit: false))
        png = png.prefix(png.count / 2)
        #expect(throws: ImagingError.self) {
            try PNGCodec.decodeReduced(png, file: "cut.png", minimumSize: (8, 8), limits: .default)
        }
    }

    /// A progressive JPEG holds all its coefficients whatever the DCT scale: bounded by the byte limit.
    @Test func progressiveJPEGCoefficientsCountAgainstTheByteLimit() throws {
        let data = try ImagingGolden.data("jpeg/rgb_progressive.jpg")
        let info = try JPEGCodec.readInfo(data, file: "p.jpg")
        let coefficients = info.width * info.height * 3 * 2
        let limits = DecodeLimits(maxDecodedBytes: coefficients - 1)
        #expect(throws: ImagingError.tooManyBytes(file: "p.jpg", width: info.width, height: info.height, bytes: coefficients,
                                                  limitBytes: coefficients - 1)) {
            try JPEGCodec.decode(data, file: "p.jpg", options: JPEGDecodeOptions(minimumSize: (1, 1)), limits: limits)
        }
        _ = try JPEGCodec.decode(data, file: "p.jpg", limits: DecodeLimits(maxDecodedBytes: coefficients))
    }

    /// A DICOM frame on the general path (no VOI window here) counts its float image, 4 bytes a sample.
    @Test func dicomFloatImageCountsAgainstTheByteLimit() throws {
        let file = try DICOMFile.read(contentsOf: Fixtures.url("dicom/synthetic/mono1_explicit_nested.dcm"))
        let whole = try DICOMImage(file)
        let bytes = whole.image.pixelCount * 4
        #expect(throws: ImagingError.tooManyBytes(file: file.file, width: whole.image.width, height: whole.image.height,
                                                  bytes: bytes, limitBytes: bytes - 1)) {
            try DICOMImage(file, limits: DecodeLimits(maxDecodedBytes: bytes - 1))
        }
        #expect(try DICOMImage(file, limits: DecodeLimits(maxDecodedBytes: bytes)).image == whole.image)
    }
}
