import Foundation

/// Random perturbations for training on radiographs: a small affine transform (shift,
/// rotation, scale about the centre, bilinear sampling, zeros outside) and brightness/contrast
/// jitter. No flips: left and right are anatomically meaningful on a chest film (heart,
/// side markers), so mirrored images are not plausible inputs.
///
/// Each draw takes its numbers from the injected generator only, so a seeded run repeats.
public struct RadiographAugmentation: Sendable, Codable, Equatable {
    /// Largest shift along each axis, as a fraction of the side (0.08 → ±2 px at 28 px).
    public var maxShift: Double
    /// Largest rotation either way, in degrees.
    public var maxRotationDegrees: Double
    /// Largest relative zoom either way (0.1 → scale in 0.9…1.1).
    public var maxScale: Double
    /// Largest additive brightness change, in grey levels of 0…1.
    public var maxBrightness: Double
    /// Largest relative contrast change about the image mean (0.2 → ×0.8…1.2).
    public var maxContrast: Double

    enum CodingKeys: String, CodingKey {
        case maxShift = "max_shift"
        case maxRotationDegrees = "max_rotation_degrees"
        case maxScale = "max_scale"
        case maxBrightness = "max_brightness"
        case maxContrast = "max_contrast"
    }

    public init(maxShift: Double, maxRotationDegrees: Double, maxScale: Double, maxBrightness: Double,
                maxContrast: Double) {
        self.maxShift = maxShift
        self.maxRotationDegrees = maxRotationDegrees
        self.maxScale = maxScale
        self.maxBrightness = maxBrightness
        self.maxContrast = maxContrast
    }

    /// No change at all.
    public static let none = RadiographAugmentation(maxShift: 0, maxRotationDegrees: 0, maxScale: 0,
                                                    maxBrightness: 0, maxContrast: 0)
    /// Light augmentation for 28×28 chest films: ±2 px, ±10°, ±10 % zoom, ±0.1 brightness, ±20 % contrast.
    public static let light = RadiographAugmentation(maxShift: 0.08, maxRotationDegrees: 10, maxScale: 0.1,
                                                     maxBrightness: 0.1, maxContrast: 0.2)

    /// One random draw applied to a one-channel image of grey levels in 0…1.
    ///
    /// - Parameter samples: `[height, width]` planar floats, overwritten with the result (clamped to 0…1).
    public func apply(_ samples: inout [Float], width: Int, height: Int, using generator: inout some RandomNumberGenerator) {
        precondition(samples.count == width * height, "\(samples.count) samples for \(width)x\(height)")
        func uniform(_ bound: Double) -> Double {
            bound == 0 ? 0 : Double.random(in: -bound...bound, using: &generator)
        }
        let dx = uniform(maxShift) * Double(width), dy = uniform(maxShift) * Double(height)
        let angle = uniform(maxRotationDegrees) * .pi / 180
        let scale = 1 + uniform(maxScale)
        let brightness = Float(uniform(maxBrightness)), contrast = Float(1 + uniform(maxContrast))
        if dx != 0 || dy != 0 || angle != 0 || scale != 1 {
            samples = Self.affine(samples, width: width, height: height, shiftX: dx, shiftY: dy, angle: angle, scale: scale)
        }
        if brightness != 0 || contrast != 1 {
            let mean = samples.reduce(0, +) / Float(max(samples.count, 1))
            for i in samples.indices {
                samples[i] = min(1, max(0, (samples[i] - mean) * contrast + mean + brightness))
            }
        }
    }

    /// Output pixel `p` takes the bilinear sample at `c + R(−angle) · (p − c − t) / scale`
    /// (the inverse of rotating by `angle`, zooming by `scale` and shifting by `t` about the
    /// centre `c`); positions outside the image read 0.
    static func affine(_ source: [Float], width: Int, height: Int, shiftX: Double, shiftY: Double, angle: Double,
                       scale: Double) -> [Float] {
        let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
        let cosA = cos(angle) / scale, sinA = sin(angle) / scale
        return [Float](unsafeUninitializedCapacity: width * height) { out, count in
            source.withUnsafeBufferPointer { src in
                func at(_ x: Int, _ y: Int) -> Float {
                    x >= 0 && x < width && y >= 0 && y < height ? src[y * width + x] : 0
                }
                for y in 0..<height {
                    for x in 0..<width {
                        let px = Double(x) - cx - shiftX, py = Double(y) - cy - shiftY
                        let sx = cosA * px + sinA * py + cx, sy = -sinA * px + cosA * py + cy
                        let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                        let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                        let top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
                        let bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
                        out[y * width + x] = top * (1 - fy) + bottom * fy
                    }
                }
            }
            count = width * height
        }
    }
}
