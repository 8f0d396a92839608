import Foundation

/// A VOI window (DICOM PS3.3 C.11.2.1.2): maps stored values around `center` ± `width`/2 to
/// the display range.
public struct Window: Sendable, Equatable {
    /// The VOI LUT Function (0028,1056).
    public enum Function: String, Sendable, Equatable {
        case linear = "LINEAR", linearExact = "LINEAR_EXACT", sigmoid = "SIGMOID"
    }

    public var center: Double
    public var width: Double
    public var function: Function

    public init(center: Double, width: Double, function: Function = .linear) {
        self.center = center
        self.width = width
        self.function = function
    }

    /// The value in 0…1 (before scaling to the output range).
    @inline(__always)
    public func apply(_ x: Double) -> Double {
        switch function {
        case .linear:
            // Width below 1 is invalid for LINEAR; treat it as a threshold at the centre.
            let w = max(width, 1)
            let c = center - 0.5
            if x <= c - (w - 1) / 2 { return 0 }
            if x > c + (w - 1) / 2 { return 1 }
            return w == 1 ? 1 : (x - c) / (w - 1) + 0.5
        case .linearExact:
            let w = max(width, Double.leastNormalMagnitude)
            if x <= center - w / 2 { return 0 }
            if x > center + w / 2 { return 1 }
            return (x - center) / w + 0.5
        case .sigmoid:
            return 1 / (1 + exp(-4 * (x - center) / max(width, Double.leastNormalMagnitude)))
        }
    }

    /// `apply` over a buffer, one loop per function with the same arithmetic (so the same
    /// results), branch-free for LINEAR and LINEAR_EXACT so that it vectorises.
    /// - Returns: via `out`: `Float(apply(Double(x)) * scale)` for every sample, in order.
    func apply(_ samples: UnsafeBufferPointer<Float>, scale: Double, into out: UnsafeMutableBufferPointer<Float>) {
        switch function {
        case .linear:
            let w = max(width, 1), c = center - 0.5
            let lo = c - (w - 1) / 2, hi = c + (w - 1) / 2
            if w == 1 {
                for i in samples.indices { out[i] = Float((Double(samples[i]) <= lo ? 0 : 1) * scale) }
            } else {
                for i in samples.indices {
                    let x = Double(samples[i])
                    out[i] = Float((x <= lo ? 0 : x > hi ? 1 : (x - c) / (w - 1) + 0.5) * scale)
                }
            }
        case .linearExact:
            let w = max(width, Double.leastNormalMagnitude)
            let lo = center - w / 2, hi = center + w / 2
            for i in samples.indices {
                let x = Double(samples[i])
                out[i] = Float((x <= lo ? 0 : x > hi ? 1 : (x - center) / w + 0.5) * scale)
            }
        case .sigmoid:
            for i in samples.indices { out[i] = Float(apply(Double(samples[i])) * scale) }
        }
    }
}

extension Image {
    /// Window/level: every sample mapped through `window` into `0…outputMaximum`.
    /// - Returns: planar `.float32`, same size and channels.
    public func windowed(_ window: Window, outputMaximum: Float = 1) -> Image {
        let source = planarFloat()
        guard case .float32(let a) = source.samples else { return source }
        let out = [Float](unsafeUninitializedCapacity: a.count) { out, n in
            a.withUnsafeBufferPointer { window.apply($0, scale: Double(outputMaximum), into: out) }
            n = a.count
        }
        return Image(width: width, height: height, colorModel: colorModel, samples: .float32(out))
    }

    /// The window spanning the sample range (min…max), for images without one.
    func fullRangeWindow() -> Window {
        let source = planarFloat()
        guard case .float32(let a) = source.samples, let lo = a.min(), let hi = a.max() else {
            return Window(center: 0.5, width: 1)
        }
        return Window(center: (Double(lo) + Double(hi)) / 2, width: Double(hi) - Double(lo), function: .linearExact)
    }

    /// MONOCHROME1 inversion: v ↦ minimum + maximum − v.
    /// - Returns: planar `.float32` for float input; the same integer type otherwise (full-range flip).
    package func invertedIntensities(minimum: Float = 0, maximum: Float = 1) -> Image {
        switch samples {
        case .uint8(var a):
            a.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = 255 &- p[i] } }
            return Image(width: width, height: height, colorModel: colorModel, samples: .uint8(a))
        case .uint16(var a):
            a.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = 65535 &- p[i] } }
            return Image(width: width, height: height, colorModel: colorModel, samples: .uint16(a))
        case .float32(var a):
            let sum = minimum + maximum
            a.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = sum - p[i] } }
            return Image(width: width, height: height, colorModel: colorModel, samples: .float32(a))
        }
    }
}
