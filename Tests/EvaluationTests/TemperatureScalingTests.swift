import Foundation
import ModelRuntime
import TestSupport
import Testing
@testable import Evaluation

/// Temperature scaling against the scipy reference (brentq on dNLL/dβ) in
/// Tests/Fixtures/evaluation/temperature.json. Tolerances: temperature 1e-7 relative (both sides
/// solve to ~1e-15 in β; the looser bound absorbs summation-order differences in the gradient
/// near the root), NLL 1e-9 absolute.
struct TemperatureScalingTests {
    struct Expected: Decodable { let temperature, nll_before, nll_after: Double }
    struct Multi: Decodable { let class_count: Int; let labels: [Int]; let logits: [Double]; let expected: Expected }
    struct Binary: Decodable { let labels: [Int]; let logits: [Double]; let expected: Expected }
    struct File: Decodable { let multiclass: Multi; let binary: Binary }

    static let golden = try! Fixtures.json(File.self, "evaluation/temperature.json")

    static func check(_ fit: TemperatureFit, _ e: Expected, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(fit.temperature - e.temperature) <= 1e-7 * e.temperature, "T \(fit.temperature) vs \(e.temperature)",
                sourceLocation: sourceLocation)
        #expect(abs(fit.nllBefore - e.nll_before) <= 1e-9, "NLL before", sourceLocation: sourceLocation)
        #expect(abs(fit.nllAfter - e.nll_after) <= 1e-9, "NLL after", sourceLocation: sourceLocation)
    }

    @Test func multiclassMatchesReference() throws {
        let g = Self.golden.multiclass
        let fit = try TemperatureScaling.fit(logits: g.logits, classCount: g.class_count, labels: g.labels)
        Self.check(fit, g.expected)
        #expect(fit.temperature > 1 && fit.nllAfter < fit.nllBefore)
        // The reported NLL is the NLL of the scaled softmax.
        let nll = try TemperatureScaling.negativeLogLikelihood(
            logits: g.logits, classCount: g.class_count, labels: g.labels, temperature: fit.temperature)
        #expect(abs(nll - fit.nllAfter) <= 1e-12)
        let probabilities = try TemperatureScaling.softmax(logits: g.logits, classCount: g.class_count, temperature: fit.temperature)
        let classes = (0..<g.class_count).map { "c\($0)" }
        let rows = try ClassProbabilities(classes: classes, truthIndices: g.labels, probabilities: probabilities)
        #expect(abs(rows.logLoss - fit.nllAfter) <= 1e-9)
    }

    @Test func binaryMatchesReference() throws {
        let g = Self.golden.binary
        let fit = try TemperatureScaling.fitBinary(logits: g.logits, labels: g.labels.map { $0 == 1 })
        Self.check(fit, g.expected)
        #expect(fit.temperature < 1 && fit.nllAfter < fit.nllBefore)
        let p = try TemperatureScaling.sigmoid(logits: g.logits, temperature: fit.temperature)
        let predictions = try BinaryPredictions(labels: g.labels.map { $0 == 1 }, probabilities: p)
        #expect(abs(predictions.logLoss - fit.nllAfter) <= 1e-9)
    }

    @Test func binaryEqualsTwoClassSoftmaxWithZeroLogit() throws {
        let g = Self.golden.binary
        var twoClass = [Double]()
        for z in g.logits { twoClass += [0, z] }
        let multi = try TemperatureScaling.fit(logits: twoClass, classCount: 2, labels: g.labels)
        let binary = try TemperatureScaling.fitBinary(logits: g.logits, labels: g.labels.map { $0 == 1 })
        #expect(abs(multi.temperature - binary.temperature) <= 1e-9 * binary.temperature)
        #expect(abs(multi.nllAfter - binary.nllAfter) <= 1e-12)
    }

    @Test func calibratedLogitsKeepTemperatureOne() throws {
        // Labels drawn from softmax(logits) itself: the fitted T stays near 1.
        var rng = SeededGenerator(seed: 7)
        let n = 4000, k = 3
        var logits = [Double](), labels = [Int]()
        for _ in 0..<n {
            let row = (0..<k).map { _ in Double.random(in: -3...3, using: &rng) }
            let p = try TemperatureScaling.softmax(logits: row, classCount: k)
            let u = Double.random(in: 0..<1, using: &rng)
            labels.append(u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2)
            logits += row
        }
        let fit = try TemperatureScaling.fit(logits: logits, classCount: k, labels: labels)
        #expect(abs(fit.temperature - 1) < 0.1, "T = \(fit.temperature)")
    }

    @Test func separableDataClampsToTheMinimumTemperature() throws {
        let fit = try TemperatureScaling.fitBinary(logits: [-2, -1, 1, 2], labels: [false, false, true, true])
        #expect(fit.temperature == TemperatureScaling.minimumTemperature)
        #expect(fit.nllAfter < fit.nllBefore)
    }

    @Test func uninformativeLogitsClampToTheMaximumTemperature() throws {
        // The top logit is always wrong: the NLL falls as T grows.
        let fit = try TemperatureScaling.fitBinary(logits: [2, 1, -1, -2], labels: [false, false, true, true])
        #expect(fit.temperature == TemperatureScaling.maximumTemperature)
    }
}
