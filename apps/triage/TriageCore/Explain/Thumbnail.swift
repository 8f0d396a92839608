import Foundation
import Imaging

/// Small gray previews for reports, by area averaging (each output pixel is the mean of the
/// source pixels it covers: cheap on 2048² radiographs and free of aliasing).
public enum Thumbnail {
    /// Longest side of stored thumbnails, in pixels.
    public static let maxSide = 128

    /// - Parameter display: display gray, planar float 0…1 (colour is averaged to gray).
    /// - Returns: an 8-bit gray image whose longest side is at most `maxSide` (never enlarged).
    public static func make(_ display: Image, maxSide: Int = maxSide) -> Image {
        let scale = min(1, Double(maxSide) / Double(max(display.width, display.height)))
        let w = max(1, Int((Double(display.width) * scale).rounded())), h = max(1, Int((Double(display.height) * scale).rounded()))
        let gray = gray(display)
        var sums = [Float](repeating: 0, count: w * h), counts = [Float](repeating: 0, count: w * h)
        let xs = (0..<display.width).map { min(w - 1, $0 * w / display.width) }
        for y in 0..<display.height {
            let row = min(h - 1, y * h / display.height) * w
            for x in 0..<display.width {
                sums[row + xs[x]] += gray[y * display.width + x]
                counts[row + xs[x]] += 1
            }
        }
        let pixels = (0..<(w * h)).map { UInt8((min(max(sums[$0] / max(counts[$0], 1), 0), 1) * 255).rounded()) }
        return Image(width: w, height: h, colorModel: .gray, samples: .uint8(pixels))
    }

    /// `make` encoded as PNG.
    public static func png(_ display: Image) throws -> Data { try PNGCodec.encode(make(display)) }

    /// One gray value per pixel, 0…1: the first plane, or the mean of three colour planes.
    static func gray(_ display: Image) -> [Float] {
        let planar = display.planarFloat()
        guard let a = planar.floatSamples else { return [] }
        let n = display.pixelCount
        if display.channels < 3 { return Array(a[0..<n]) }
        return (0..<n).map { (a[$0] + a[n + $0] + a[2 * n + $0]) / 3 }
    }
}
