import Foundation
import Imaging
import Testing
@testable import TriageCore

/// PNGs too large to decode whole (`DecodeLimits.maxDecodedBytes`) are box-reduced while decoding
/// to at least four times the model input, then cropped and resized as usual. The model input then
/// differs a little from the full decode's: these tests state and hold the bound (docs/IMAGING.md,
/// "Memory"), on images made here and decoded both ways (the whole decode forced by a large limit).
struct ReducedInputTests {
    static let pipeline = InputPipeline(.init(width: 28, height: 28, mean: [0.5], std: [0.25]))
    /// Largest difference allowed, in gray levels 0…1 (9/255). Seen over the images below: 0.030
    /// (1200 × 1000: its centre crop starts at 12.5 reduced pixels, rounded to 12, 4 input pixels
    /// off, across hard edges), 0.016, 0.010, 0.008 (docs/IMAGING.md, "Memory").
    static let bound: Float = 0.035

    /// A radiograph-like gray picture: a bright ellipse (lungs darker inside), ribs as soft bands, noise.
    static func picture(width: Int, height: Int, model: Image.ColorModel, sixteenBit: Bool, bars: Bool) -> Image {
        var state: UInt64 = 12345
        let c = model.channels, maximum = sixteenBit ? 65535.0 : 255.0
        var gray = [Double](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) / Double(width) - 0.5, v = Double(y) / Double(height) - 0.5
                var level = max(0, 1 - 2.2 * (u * u + v * v).squareRoot()) * 0.8
                if abs(abs(u) - 0.2) < 0.12 { level *= 0.6 + 0.1 * sin(Double(y) / 9) }
                if bars, (x / 3) % 2 == 0 { level = min(1, level + 0.3) }
                state = state &* 6364136223846793005 &+ 1442695040888963407
                gray[y * width + x] = min(1, max(0, level + Double(state >> 40) / Double(1 << 24) * 0.04))
            }
        }
        var values = [Double]()
        values.reserveCapacity(width * height * c)
        for g in gray {
            for k in 0..<c { values.append(k == 3 || (model == .grayAlpha && k == 1) ? 1 : g) }
        }
        return Image(width: width, height: height, colorModel: model,
                     samples: sixteenBit ? .uint16(values.map { UInt16(($0 * maximum).rounded()) })
                         : .uint8(values.map { UInt8(($0 * maximum).rounded()) }))
    }

    /// The unit model input (gray 0…1, 28 × 28) of `png` under `limits`.
    static func unitInput(_ png: Data, limits: DecodeLimits) throws -> [Float] {
        try pipeline.unitInput(pipeline.decode(png, file: "big.png", limits: limits).gray).floatSamples!
    }

    @Test(arguments: [(1200, 1000, Image.ColorModel.rgba, true, false), (900, 900, .gray, false, true),
                      (700, 1100, .rgb, false, false), (1000, 800, .gray, true, true)])
    func reducedModelInputStaysWithinTheStatedBoundOfTheFullDecode(width: Int, height: Int, model: Image.ColorModel,
                                                                    sixteenBit: Bool, bars: Bool) throws {
        let png = try PNGCodec.encode(Self.picture(width: width, height: height, model: model, sixteenBit: sixteenBit, bars: bars))
        let full = try Self.unitInput(png, limits: DecodeLimits(maxDecodedBytes: 1 << 30))
        let reduced = try Self.unitInput(png, limits: DecodeLimits(maxDecodedBytes: 1 << 18))
        let difference = zip(full, reduced).map { abs($0 - $1) }.max()!
        print("reduced vs full model input, \(width)x\(height) \(model) \(sixteenBit ? 16 : 8)-bit: max |Δ| = \(difference)")
        #expect(difference <= Self.bound)
        #expect(difference > 0, "the reduced path was not taken")
    }
}
