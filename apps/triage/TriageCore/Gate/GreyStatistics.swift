import Foundation
import Imaging

/// Grey-level statistics of one image for the input gate's cheap checks, from a 256-bin
/// histogram over the image's full scale (8-bit levels as they are, 16-bit levels / 257,
/// 0…1 floats × 255, rounded).
struct GreyStatistics: Sendable, Equatable {
    /// The 99th minus the 1st percentile grey level, in levels 0…255 of the full scale.
    let dynamicRange: Int
    /// Fraction of the pixels in the lowest or the highest bin (at 0 or at full scale), 0…1.
    let saturation: Double
    /// Shannon entropy of the histogram, in bits (0 for a constant image, at most 8).
    let entropy: Double

    /// - Parameter histogram: 256 counts, at least one non-zero.
    init(histogram: [Int]) {
        precondition(histogram.count == 256, "256 bins")
        let n = histogram.reduce(0, +)
        precondition(n > 0, "an empty histogram")
        /// The grey level of the sorted pixel at `fraction · (n − 1)`, as `sorted[Int(fraction · (n − 1))]`.
        func percentile(_ fraction: Double) -> Int {
            let rank = Int(fraction * Double(n - 1))
            var seen = 0
            for (level, count) in histogram.enumerated() {
                seen += count
                if seen > rank { return level }
            }
            return 255
        }
        dynamicRange = percentile(0.99) - percentile(0.01)
        saturation = Double(histogram[0] + histogram[255]) / Double(n)
        entropy = histogram.reduce(0.0) { sum, count in
            guard count > 0 else { return sum }
            let p = Double(count) / Double(n)
            return sum - p * log2(p)
        }
    }

    /// - Parameter image: one channel, any sample type (`PreparedInput.gray`, a thumbnail).
    init(_ image: Image) {
        precondition(image.channels == 1, "grey statistics of a \(image.channels)-channel image")
        var histogram = [Int](repeating: 0, count: 256)
        switch image.samples {
        case .uint8(let a): for v in a { histogram[Int(v)] += 1 }
        case .uint16(let a): for v in a { histogram[Int(v) / 257] += 1 }
        case .float32(let a):
            for v in a { histogram[Int(min(255, max(0, (v * 255).rounded())))] += 1 }
        }
        self.init(histogram: histogram)
    }
}
