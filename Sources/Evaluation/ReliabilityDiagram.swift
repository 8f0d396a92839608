import Foundation

/// One equal-width confidence bin of a reliability diagram.
public struct CalibrationBin: Codable, Sendable, Equatable {
    /// The bin covers [lower, upper); the last bin also holds 1.0.
    let lower: Double
    let upper: Double
    public let count: Int
    /// Mean confidence of the bin's examples (0 when empty).
    let meanConfidence: Double
    /// Fraction of the bin's examples whose outcome is true (0 when empty).
    let observedFrequency: Double
}

/// Confidences grouped into equal-width bins, and the expected calibration error.
///
/// ECE = Σ_b |B_b|/n · |freq(B_b) − conf(B_b)|, where conf is the mean confidence of bin b and
/// freq the fraction of its outcomes that are true; empty bins add nothing. MCE is the largest
/// |freq − conf| over non-empty bins. Bin b of B holds confidences in [b/B, (b+1)/B) — index
/// `min(⌊c·B⌋, B − 1)` — so 1.0 falls in the last bin. What "confidence" and "outcome" mean is
/// the caller's choice, which gives the two ECEs of this module:
///
/// * **binary / positive-class ECE** (`BinaryPredictions.reliability`): confidence = predicted
///   probability of the positive class, outcome = label is positive. This is the reliability
///   curve of scikit-learn's `calibration_curve(strategy="uniform")`; it is what a clinical
///   threshold on P(pneumonia) relies on.
/// * **top-label / max-probability ECE** (`ClassProbabilities.reliability`, Guo et al. 2017):
///   confidence = the largest class probability, outcome = the argmax class is correct. For two
///   classes this differs from the positive-class version (confidence is always ≥ 0.5).
public struct ReliabilityDiagram: Codable, Sendable, Equatable {
    package let bins: [CalibrationBin]
    public let expectedCalibrationError: Double
    package let maximumCalibrationError: Double

    /// The bin count used throughout the suite.
    public static let defaultBinCount = 15

    /// - Throws: `.empty`, `.lengthMismatch`, `.nonFinite`, `.probabilityOutOfRange` (confidences
    ///   must lie in [0, 1]), `.invalidArgument` for `binCount < 1`.
    public init(confidences: [Double], outcomes: [Bool], binCount: Int = defaultBinCount) throws {
        try Validate.nonEmpty(confidences.count, "confidences")
        try Validate.sameLength(outcomes.count, confidences.count, "outcomes")
        try Validate.probabilities(confidences, "confidences")
        try Validate.binCount(binCount)
        self.init(validConfidences: confidences, outcomes: outcomes, binCount: binCount)
    }

    /// Inputs already checked by the caller.
    init(validConfidences confidences: [Double], outcomes: [Bool], binCount: Int) {
        var counts = [Int](repeating: 0, count: binCount)
        var confidenceSums = [Double](repeating: 0, count: binCount)
        var trueCounts = [Int](repeating: 0, count: binCount)
        let scale = Double(binCount)
        confidences.withUnsafeBufferPointer { c in
            outcomes.withUnsafeBufferPointer { o in
                for i in c.indices {
                    let b = Swift.min(Int(c[i] * scale), binCount - 1)
                    counts[b] += 1
                    confidenceSums[b] += c[i]
                    if o[i] { trueCounts[b] += 1 }
                }
            }
        }
        let n = Double(confidences.count)
        var ece = 0.0, mce = 0.0
        var bins = [CalibrationBin]()
        bins.reserveCapacity(binCount)
        for b in 0..<binCount {
            let count = counts[b]
            let conf = count == 0 ? 0 : confidenceSums[b] / Double(count)
            let freq = count == 0 ? 0 : Double(trueCounts[b]) / Double(count)
            if count > 0 {
                let gap = abs(freq - conf)
                ece += Double(count) / n * gap
                mce = Swift.max(mce, gap)
            }
            bins.append(CalibrationBin(
                lower: Double(b) / scale, upper: Double(b + 1) / scale, count: count,
                meanConfidence: conf, observedFrequency: freq))
        }
        self.bins = bins
        expectedCalibrationError = ece
        maximumCalibrationError = mce
    }
}

extension BinaryPredictions {
    /// Positive-class reliability diagram: bins of P(positive) against the observed positive rate.
    /// See `ReliabilityDiagram` for the binning and the ECE definition.
    package func reliability(binCount: Int = ReliabilityDiagram.defaultBinCount) throws -> ReliabilityDiagram {
        try Validate.binCount(binCount)
        return ReliabilityDiagram(validConfidences: probabilities, outcomes: labels, binCount: binCount)
    }

    /// Positive-class expected calibration error (15 equal-width bins by default).
    public func expectedCalibrationError(binCount: Int = ReliabilityDiagram.defaultBinCount) throws -> Double {
        try reliability(binCount: binCount).expectedCalibrationError
    }

    /// Brier score, mean (p − y)² with y ∈ {0, 1}: scikit-learn's binary `brier_score_loss`.
    public var brierScore: Double {
        var sum = 0.0
        labels.withUnsafeBufferPointer { y in
            probabilities.withUnsafeBufferPointer { p in
                for i in p.indices {
                    let d = p[i] - (y[i] ? 1 : 0)
                    sum += d * d
                }
            }
        }
        return sum / Double(count)
    }

    /// Log loss (mean binary cross-entropy, natural log) as scikit-learn's `log_loss`:
    /// probabilities are clipped to [ε, 1 − ε] with ε = `Double.ulpOfOne` (2.2e-16) first.
    package var logLoss: Double {
        let eps = Double.ulpOfOne
        var sum = 0.0
        labels.withUnsafeBufferPointer { y in
            probabilities.withUnsafeBufferPointer { p in
                for i in p.indices {
                    let q = y[i] ? p[i] : 1 - p[i]
                    sum -= Foundation.log(Swift.min(Swift.max(q, eps), 1 - eps))
                }
            }
        }
        return sum / Double(count)
    }
}
