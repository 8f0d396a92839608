import Foundation
import ModelRuntime
import TestSupport
import Testing
@testable import AssistantCore

/// The intent head on synthetic embeddings: separable clusters, calibration, out-of-scope thresholds, file checks.
struct IntentClassifierTests {
    /// Unit vectors around `k` random directions in `d` dimensions, plus far-away noise as "oos".
    static func clusters(k: Int, d: Int, perClass: Int, oos: Int, seed: UInt64) -> [([Float], String)] {
        var rng = SeededGenerator(seed: seed)
        func unit(_ v: [Float]) -> [Float] {
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / n }
        }
        let centers = (0..<k).map { _ in unit((0..<d).map { _ in Float.random(in: -1...1, using: &rng) }) }
        var data: [([Float], String)] = []
        for (c, center) in centers.enumerated() {
            for _ in 0..<perClass {
                data.append((unit(center.map { $0 + Float.random(in: -0.15...0.15, using: &rng) }), "intent_\(c)"))
            }
        }
        for _ in 0..<oos { data.append((unit((0..<d).map { _ in Float.random(in: -1...1, using: &rng) }), "oos")) }
        return data
    }

    @Test func learnsSeparableIntentsAndCatchesOutOfScope() throws {
        let train = Self.clusters(k: 6, d: 24, perClass: 40, oos: 30, seed: 1)
        let validation = Self.clusters(k: 6, d: 24, perClass: 10, oos: 20, seed: 1).suffix(80)  // same centres, new tail
        let (classifier, report) = try IntentTrainer.train(train: train, validation: Array(validation), embeddingModel: "test")
        #expect(classifier.labels.count == 7 && classifier.outOfScopeLabel == "oos")
        #expect(report.validationInScopeAccuracy > 0.9, "\(report)")
        #expect((report.validationOutOfScopeRecall ?? 0) > 0.8, "\(report)")
        #expect(report.temperature > 0 && !report.sweep.isEmpty)
        let p = classifier.predict(train[0].0)
        #expect(p.verdict == .inScope && p.ranking[0].label == "intent_0")
        #expect(abs(p.ranking.map(\.probability).reduce(0, +) - 1) < 1e-9)
    }

    @Test func roundTripsThroughItsFileAndRejectsDamagedOnes() throws {
        let data = Self.clusters(k: 3, d: 8, perClass: 20, oos: 0, seed: 2)
        let (classifier, _) = try IntentTrainer.train(train: data, validation: Array(data.suffix(15)), embeddingModel: "m")
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try classifier.write(folder: dir)
        #expect(try IntentClassifier.load(folder: dir) == classifier)
        var broken = classifier
        broken.weights.removeLast()
        try broken.write(folder: dir)
        #expect { try IntentClassifier.load(folder: dir) } throws: { "\($0)".contains("inconsistent shapes") }
        try "{\"format\": 1}".write(to: dir.appendingPathComponent("classifier.json"), atomically: true, encoding: .utf8)
        #expect(throws: ClassifierError.self) { try IntentClassifier.load(folder: dir) }
    }

    @Test func aFixedHeadIsKeptAndOnlyCalibrated() throws {
        let train = Self.clusters(k: 4, d: 12, perClass: 20, oos: 10, seed: 4)
        let validation = Array(Self.clusters(k: 4, d: 12, perClass: 6, oos: 8, seed: 4).suffix(30))
        let (fitted, _) = try IntentTrainer.train(train: train, validation: validation, embeddingModel: "m")
        var options = IntentTrainer.Options()
        options.fixedHead = (fitted.weights.map { $0 * 2 }, fitted.bias.map { $0 * 2 })
        let (kept, report) = try IntentTrainer.train(train: train, validation: validation, embeddingModel: "m", options: options)
        #expect(kept.weights == fitted.weights.map { $0 * 2 } && kept.bias == fitted.bias.map { $0 * 2 })
        #expect(report.iterations == 0)
        #expect(kept.temperature > 0 && kept.labels == fitted.labels)
    }

    @Test func thresholdRuleTakesTheBestInScopeAccuracyThatCatchesEnoughOutOfScope() {
        func row(_ p: Double, _ accuracy: Double, _ recall: Double?) -> IntentTrainer.SweepRow {
            .init(minimumProbability: p, minimumMargin: 0, inScopeAccuracy: accuracy, outOfScopeRecall: recall)
        }
        let sweep = [row(0, 0.962, 0.82), row(0.5, 0.96, 0.83), row(0.9, 0.915, 0.96), row(0.1, 0.964, 0.74), row(0.2, 0.962, 0.82)]
        #expect(IntentTrainer.choose(sweep, requiredOutOfScopeRecall: 0.8) == sweep[4])  // tie on both: the stricter
        #expect(IntentTrainer.choose(sweep, requiredOutOfScopeRecall: 0.9) == sweep[2])
        #expect(IntentTrainer.choose(sweep, requiredOutOfScopeRecall: 0.99) == sweep[2])  // none reaches it: best sum
        let noOutOfScope = [row(0, 0.95, nil), row(0.3, 0.945, nil), row(0.6, 0.93, nil)]
        #expect(IntentTrainer.choose(noOutOfScope, requiredOutOfScopeRecall: 0.8) == noOutOfScope[1])
    }

    @Test func trainingRejectsUnusableData() throws {
        let one = [([Float](repeating: 0.5, count: 4), "only")]
        #expect(throws: ClassifierError.self) { try IntentTrainer.train(train: one, validation: one, embeddingModel: "m") }
        let data = Self.clusters(k: 2, d: 4, perClass: 5, oos: 0, seed: 3)
        #expect { try IntentTrainer.train(train: data, validation: [(data[0].0, "unseen")], embeddingModel: "m") }
            throws: { "\($0)".contains("'unseen'") }
    }
}
