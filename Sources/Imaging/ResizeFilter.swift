public import SuiteFoundation

/// Resampling filters, with Pillow's kernels and supports (`Resample.c`).
public enum ResizeFilter: String, Sendable, StrictStringEnum {
    case nearest, bilinear, bicubic

    /// Kernel half-width in source pixels at scale 1.
    var support: Double {
        switch self {
        case .nearest: 0.5
        case .bilinear: 1
        case .bicubic: 2
        }
    }

    @inline(__always)
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let x = abs(x)
            return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5, x = abs(x)
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }
}

/// Per-output-pixel source windows and normalised weights for one axis, as Pillow's
/// `precompute_coeffs` computes them (antialiased: the kernel widens by the reduction factor).
struct ResampleCoefficients {
    /// Kernel length (stride of `weights`).
    let kernelSize: Int
    /// For output i: first source index and number of taps.
    var starts: [Int]
    var counts: [Int]
    /// `outSize × kernelSize` weights (unused taps are 0).
    var weights: [Double]

    init(inputSize: Int, outputSize: Int, filter: ResizeFilter) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        kernelSize = Int(support.rounded(.up)) * 2 + 1
        starts = [Int](repeating: 0, count: outputSize)
        counts = [Int](repeating: 0, count: outputSize)
        weights = [Double](repeating: 0, count: outputSize * kernelSize)
        let inverse = 1 / filterScale
        for i in 0..<outputSize {
            let center = (Double(i) + 0.5) * scale
            let xmin = max(0, Int(center - support + 0.5))
            let xmax = min(inputSize, Int(center + support + 0.5)) - xmin
            var total = 0.0
            for x in 0..<max(0, xmax) {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * inverse)
                weights[i * kernelSize + x] = w
                total += w
            }
            if total != 0 {
                for x in 0..<max(0, xmax) { weights[i * kernelSize + x] /= total }
            }
            starts[i] = xmin
            counts[i] = max(0, xmax)
        }
    }

    /// Pillow's `normalize_coeffs_8bpc`: weights in fixed point with 22 fractional bits.
    func fixedPoint() -> [Int32] {
        let one = Double(1 << ResampleCoefficients.precisionBits)
        return weights.map { $0 < 0 ? Int32(-0.5 + $0 * one) : Int32(0.5 + $0 * one) }
    }

    static let precisionBits = 32 - 8 - 2
}
