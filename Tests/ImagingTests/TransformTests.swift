import DICOM
import Foundation
@testable import Imaging
import TestSupport
import Testing
import ModelRuntime

/// Window/level against pydicom's `apply_windowing`, and the geometric and tensor transforms.
struct TransformTests {
    struct WindowCase: Decodable {
        let function: String
        let center: Double
        let width: Double
        let outputMaximum: Double
        let input: [Double]
        let output: [Double]
    }

    struct Golden: Decodable { let windowing: [WindowCase] }

    @Test func windowMatchesPydicomForEveryVOIFunction() throws {
        let golden = try Fixtures.json(Golden.self, "dicom/golden.json")
        #expect(golden.windowing.count >= 10)
        for c in golden.windowing {
            let fn = try #require(Window.Function(rawValue: c.function))
            let window = Window(center: c.center, width: c.width, function: fn)
            for (x, y) in zip(c.input, c.output) {
                let ours = window.apply(x) * c.outputMaximum
                #expect(abs(ours - y) <= 1e-9 * c.outputMaximum, "\(c.function) c=\(c.center) w=\(c.width) x=\(x)")
            }
        }
    }

    /// `windowed` (one loop per function over the buffer) gives exactly `Window.apply` per sample.
    @Test func windowedImageIsApplyPerSample() throws {
        let golden = try Fixtures.json(Golden.self, "dicom/golden.json")
        var windows = try golden.windowing.map { c in
            (Window(center: c.center, width: c.width, function: try #require(Window.Function(rawValue: c.function))),
             Float(c.outputMaximum), c.input.map { Float($0) })
        }
        let ramp = (-40..<40).map { Float($0) * 0.25 }
        for (w, fn) in [(1.0, Window.Function.linear), (0.5, .linear), (1e-12, .linearExact), (2, .sigmoid)] {
            windows.append((Window(center: 0.5, width: w, function: fn), 1, ramp))
        }
        for (window, maximum, input) in windows {
            let image = Image(width: input.count, height: 1, colorModel: .gray, samples: .float32(input))
            let expected = input.map { Float(window.apply(Double($0)) * Double(maximum)) }
            #expect(image.windowed(window, outputMaximum: maximum).floatSamples == expected, "\(window)")
        }
    }

    static let ramp = Image(width: 4, height: 3, colorModel: .gray, samples: .uint8((0..<12).map { UInt8($0 * 10) }))

    @Test func cropCenterCropAndPad() {
        let crop = Self.ramp.cropped(x: 1, y: 1, width: 2, height: 2)
        #expect(crop.uint8Samples == [50, 60, 90, 100])
        let center = Self.ramp.centerCropped(width: 2, height: 1)
        #expect(center.uint8Samples == [50, 60])
        let padded = Self.ramp.padded(left: 1, top: 0, right: 0, bottom: 1, fill: 7)
        #expect(padded.width == 5 && padded.height == 4)
        #expect(padded.uint8Samples?.prefix(5) == [7, 0, 10, 20, 30])
        #expect(padded.uint8Samples?.suffix(5) == [7, 7, 7, 7, 7])
        let square = Self.ramp.planarFloat().paddedToSquare()
        #expect(square.width == 4 && square.height == 4 && square.floatSamples?.suffix(4) == [0, 0, 0, 0])
    }

    @Test func colourConversionsFollowPillow() {
        // Pillow: L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16; CMYK values checked with Pillow 13.0.0 too
        let rgb = Image(width: 2, height: 1, colorModel: .rgb, samples: .uint8([255, 0, 0, 10, 200, 30]))
        #expect(rgb.grayscale().uint8Samples == [76, 124])  // Pillow 13.0.0 convert("L") gives [76, 124]
        let gray = Image(width: 1, height: 1, colorModel: .grayAlpha, samples: .uint8([9, 200]))
        #expect(gray.rgb().uint8Samples == [9, 9, 9])
        #expect(ColorConversion.cmykToRGB([0, 0, 0, 0, 255, 255, 255, 255, 100, 50, 0, 128], pixels: 3) == [255, 255, 255, 0, 0, 0, 77, 102, 127])
    }

    @Test func windowInvertNormalizeAndTensor() throws {
        let values = Image(width: 3, height: 1, colorModel: .gray, samples: .float32([-100, 40, 500]))
        let shown = values.windowed(Window(center: 40, width: 400, function: .linearExact))
        #expect(shown.floatSamples == [0.15, 0.5, 1])
        let inverted = shown.invertedIntensities()
        #expect(inverted.floatSamples == [0.85, 0.5, 0])
        let rgb = Image(width: 2, height: 1, colorModel: .rgb, samples: .uint8([0, 128, 255, 255, 128, 0]))
        let normalized = rgb.scaled(by: 1 / 255).normalized(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let tensor = normalized.tensor()
        #expect(tensor.shape == [3, 1, 2])
        let t = tensor.scalars
        #expect(abs(t[0] - (0 - 0.485) / 0.229) < 1e-6 && abs(t[1] - (1 - 0.485) / 0.229) < 1e-6)
        #expect(abs(t[4] - (1 - 0.406) / 0.225) < 1e-6)
    }

    @Test func dicomImageAppliesTheModalityLUTAndMonochrome1Display() throws {
        let file = try DICOMFile.read(contentsOf: Fixtures.url("dicom/synthetic/mono1_explicit_nested.dcm"))
        let image = try DICOMImage(file)
        #expect(image.monochrome1 && image.window == nil)
        let shown = try #require(image.display().floatSamples)
        let stored = try #require(image.image.floatSamples)
        // Full-range window, inverted: the brightest stored value is shown black.
        let brightest = try #require(stored.indices.max { stored[$0] < stored[$1] })
        #expect(shown[brightest] == 0)
        let ct = try DICOMImage(DICOMFile.read(contentsOf: Fixtures.url("dicom/synthetic/signed12_implicit.dcm")))
        let raw = try PixelDecoder(DICOMFile.read(contentsOf: Fixtures.url("dicom/synthetic/signed12_implicit.dcm"))).frame(0)
        #expect(ct.image.floatSamples?[5] == Float(raw.values[5]) * 2 - 1024)
        #expect(ct.window == Window(center: 40, width: 400, function: .sigmoid))
    }

    @Test func limitsApplyToDICOMImages() throws {
        let file = try DICOMFile.read(contentsOf: Fixtures.url("dicom/synthetic/signed12_implicit.dcm"))
        #expect(throws: DICOMError.self) { try DICOMImage(file, limits: DecodeLimits(maxPixels: 100)) }
    }
}
