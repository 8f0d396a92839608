import Foundation
import ModelRuntime
import Testing
@testable import Evaluation

/// The sorted, grouped fast paths against plain O(n²) / O(n) references on seeded random data,
/// and hand-checked values.
struct ReferenceTests {
    /// Mann–Whitney over every positive × negative pair.
    static func naiveAUC(_ y: [Bool], _ p: [Double]) -> Double {
        var sum = 0.0, pairs = 0.0
        for i in y.indices where y[i] {
            for j in y.indices where !y[j] {
                sum += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0
                pairs += 1
            }
        }
        return sum / pairs
    }

    static func randomCase(_ rng: inout SeededGenerator, n: Int, levels: Int) -> ([Bool], [Double]) {
        var y = [Bool](), p = [Double]()
        for _ in 0..<n {
            let positive = Bool.random(using: &rng)
            let raw = min(1, max(0, (positive ? 0.6 : 0.4) + Double.random(in: -0.5...0.5, using: &rng)))
            y.append(positive)
            p.append((raw * Double(levels)).rounded() / Double(levels))
        }
        return (y, p)
    }

    @Test func aucAndConfusionMatchNaiveReferences() throws {
        var rng = SeededGenerator(seed: 42)
        for trial in 0..<40 {
            let (y, p) = Self.randomCase(&rng, n: 5 + trial * 7, levels: trial % 2 == 0 ? 10 : 1_000_000)
            guard y.contains(true), y.contains(false) else { continue }
            let predictions = try BinaryPredictions(labels: y, probabilities: p)
            #expect(abs(try predictions.rocAUC() - Self.naiveAUC(y, p)) <= 1e-12)
            for t in [0.0, 0.3, 0.5, 0.55, 1.0, 1.5] {
                let c = predictions.confusionMatrix(threshold: t)
                let tp = y.indices.filter { y[$0] && p[$0] >= t }.count
                let fp = y.indices.filter { !y[$0] && p[$0] >= t }.count
                #expect(c.truePositives == tp && c.falsePositives == fp)
                #expect(c.count == y.count)
            }
        }
    }

    @Test func aucIsOrderIndependentAndHandlesAllTies() throws {
        let tied = try BinaryPredictions(labels: [true, false, true, false], probabilities: [0.5, 0.5, 0.5, 0.5])
        #expect(try tied.rocAUC() == 0.5)
        #expect(try tied.rocCurve().map(\.truePositiveRate) == [0, 1])
        let a = try BinaryPredictions(labels: [true, false, false, true, false], probabilities: [0.9, 0.3, 0.9, 0.2, 0.1])
        let b = try BinaryPredictions(labels: [false, true, false, true, false], probabilities: [0.1, 0.2, 0.9, 0.9, 0.3])
        #expect(try a.rocAUC() == b.rocAUC())
        #expect(try a.rocAUC() == Self.naiveAUC([true, false, false, true, false], [0.9, 0.3, 0.9, 0.2, 0.1]))
    }

    @Test func wilsonIntervalKnownValues() {
        // Wilson (1927) / Newcombe (1998) table: 81/263 → [0.2553, 0.3662]; 0/10 → [0, 0.2775].
        let a = ConfidenceInterval.wilson(successes: 81, total: 263)
        #expect(abs(a.lower - 0.2553) < 5e-5 && abs(a.upper - 0.3662) < 5e-5)
        let b = ConfidenceInterval.wilson(successes: 0, total: 10)
        #expect(b.lower == 0 && abs(b.upper - 0.2775) < 5e-5)
        let c = ConfidenceInterval.wilson(successes: 10, total: 10)
        #expect(c.upper == 1 && abs(c.lower - 0.7225) < 5e-5)
        #expect(ConfidenceInterval.wilson(successes: 0, total: 0) == ConfidenceInterval(lower: 0, upper: 1, method: "wilson"))
    }

    @Test func sensitivityThresholdIsTheHighestThatReachesTheTarget() throws {
        let y: [Bool] = [true, true, true, true, false, false, false, false]
        let p: [Double] = [0.9, 0.8, 0.4, 0.35, 0.7, 0.3, 0.2, 0.1]
        let predictions = try BinaryPredictions(labels: y, probabilities: p)
        #expect(try predictions.thresholdForSensitivity(0.5).threshold == 0.8)
        #expect(try predictions.thresholdForSensitivity(0.75).threshold == 0.4)
        let full = try predictions.thresholdForSensitivity(1)
        #expect(full.threshold == 0.35 && full.sensitivity.value == 1 && full.specificity.value == 0.75)
        // J: at 0.8 → 0.5, at 0.35 → 1 − 0.25 = 0.75 (the best).
        #expect(try predictions.youdenThreshold().threshold == 0.35)
    }

    @Test func topLabelAndPositiveClassECEDifferForTwoClasses() throws {
        // Two negatives with P(positive) = 0.2 and 0.8.
        // Positive-class: bins of 0.2 and 0.8, both with frequency 0 → ½·0.2 + ½·0.8 = 0.5.
        // Top-label: both confidences are 0.8 (one bin), one argmax right → |0.5 − 0.8| = 0.3.
        let y = [false, false]
        let p = [0.2, 0.8]
        let binary = try BinaryPredictions(labels: y, probabilities: p).expectedCalibrationError()
        #expect(abs(binary - 0.5) < 1e-15)
        let rows = try ClassProbabilities(classes: ["neg", "pos"], truthIndices: [0, 0],
                                          probabilities: p.flatMap { [1 - $0, $0] })
        #expect(abs(try rows.expectedCalibrationError() - 0.3) < 1e-15)
    }

    @Test func reliabilityBinsAreLeftClosedWithOneInTheLastBin() throws {
        let diagram = try ReliabilityDiagram(confidences: [0, 1.0 / 15, 0.5, 1], outcomes: [false, true, true, true], binCount: 15)
        #expect(diagram.bins[0].count == 1 && diagram.bins[1].count == 1 && diagram.bins[7].count == 1 && diagram.bins[14].count == 1)
        #expect(diagram.bins[14].upper == 1 && diagram.bins[0].lower == 0)
    }
}
