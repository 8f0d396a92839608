public import DICOM
import Foundation

/// One frame of a DICOM file as an image, with what display needs: the file's VOI window and
/// whether it is MONOCHROME1 (high values dark).
public struct DICOMImage: Sendable {
    /// Planar `.float32` samples after the modality LUT (monochrome) or RGB samples (colour).
    public let image: Image
    let pixelDescription: PixelDescription
    /// The file's first VOI window, if any.
    public let window: Window?
    public let monochrome1: Bool
    /// The stored (pre-LUT) integer samples of the frame.
    package let stored: PixelArray

    /// Decodes `frame` (0-based) of `file`, refusing images over `limits` (pixels, and bytes of
    /// the float image) before allocating.
    public init(_ file: DICOMFile, frame: Int = 0, limits: DecodeLimits = .default) throws {
        let decoder = try PixelDecoder(file, maxPixels: limits.maxPixels)
        let d = decoder.description
        try limits.check(width: d.columns, height: d.rows, file: file.file)
        // The float image below, 4 bytes a sample (the stored samples come beside it).
        try limits.checkBytes(d.pixelsPerFrame * d.samplesPerPixel * 4, width: d.columns, height: d.rows, file: file.file)
        let pixels = try decoder.frame(frame)
        stored = pixels
        pixelDescription = d
        let model: Image.ColorModel = d.samplesPerPixel == 3 ? .rgb : .gray
        var values: [Float]
        if d.samplesPerPixel == 1 {
            values = ModalityRescale(file.dataSet).applyFloat(pixels)
        } else {
            // Interleaved RGB → planar.
            let n = d.pixelsPerFrame
            values = [Float](unsafeUninitializedCapacity: n * 3) { out, count in
                for c in 0..<3 { for i in 0..<n { out[c * n + i] = Float(pixels.value(at: i * 3 + c)) } }
                count = n * 3
            }
        }
        image = Image(width: d.columns, height: d.rows, colorModel: model, samples: .float32(values))
        window = VOIWindow(file.dataSet).map {
            Window(center: $0.center, width: $0.width, function: Window.Function(rawValue: $0.function) ?? .linear)
        }
        monochrome1 = d.photometricInterpretation == "MONOCHROME1"
    }

    /// Display values in 0…1: `window` (else the file's, else the full sample range) applied,
    /// MONOCHROME1 inverted. Colour images are scaled by their bit depth's maximum instead.
    /// - Returns: planar `.float32` image.
    public func display(window override: Window? = nil) -> Image {
        if image.colorModel != .gray {
            let maximum = Float((1 << min(pixelDescription.bitsStored, 16)) - 1)
            return image.scaled(by: 1 / maximum)
        }
        let w = override ?? window ?? image.fullRangeWindow()
        let shown = image.windowed(w)
        return monochrome1 ? shown.invertedIntensities(minimum: 0, maximum: 1) : shown
    }

    /// The stored samples as 16-bit (signed data offset by 2^(Bits Stored − 1) so it fits), for `--raw` output.
    /// - Returns: interleaved `.uint16` image.
    public func rawUInt16() -> Image {
        let offset: Int64 = pixelDescription.signed ? Int64(1) << Int64(pixelDescription.bitsStored - 1) : 0
        let count = stored.values.count
        let samples = [UInt16](unsafeUninitializedCapacity: count) { out, n in
            for i in 0..<count { out[i] = UInt16(clamping: stored.value(at: i) + offset) }
            n = count
        }
        return Image(width: image.width, height: image.height, colorModel: image.colorModel, samples: .uint16(samples))
    }
}
