import Foundation
import Testing
import TestSupport
@testable import ModelRuntime

/// Losses against PyTorch 2.13.0 (`F.cross_entropy(weight=)`,
/// `F.binary_cross_entropy_with_logits(weight=, pos_weight=)`, from tools/fixtures/cnn_golden.py;
/// loss and gradient within 1e-6 + 1e-5·|torch|) and against finite differences
/// (see `GradientCheck`).
struct TrainingLossTests {
    struct CrossEntropyCase: Decodable {
        let name: String
        let rows, classes: Int
        let logits, gradient: [Float]
        let labels: [Int]
        let classWeights: [Float]?
        let loss: Float
    }

    struct BinaryCase: Decodable {
        let name: String
        let rows, classes: Int
        let logits, targets, gradient: [Float]
        let weights, positiveWeight: [Float]?
        let loss: Float
    }

    struct Golden: Decodable {
        let crossEntropy: [CrossEntropyCase]
        let binaryCrossEntropy: [BinaryCase]
    }

    static let golden = try! Fixtures.json(Golden.self, "cnn/losses.json")

    @Test func crossEntropyMatchesPyTorch() {
        for c in Self.golden.crossEntropy {
            var gradient = [Float](repeating: .nan, count: c.logits.count)
            let loss = CrossEntropyLoss.softmax(logits: c.logits, labels: c.labels, classes: c.classes,
                                                classWeights: c.classWeights, gradient: &gradient)
            #expect(abs(loss - c.loss) <= 1e-6 + 1e-5 * abs(c.loss), "\(c.name): loss \(loss) vs \(c.loss)")
            ConvGoldenTests.expectClose(gradient, c.gradient, "\(c.name) gradient", absolute: 1e-6, relative: 1e-5)

            let tensorForm = CrossEntropyLoss.softmax(logits: Tensor(shape: [c.rows, c.classes], values: c.logits),
                                                      labels: c.labels, classWeights: c.classWeights)
            #expect(tensorForm.loss == loss && tensorForm.gradient.scalars == gradient)
        }
    }

    @Test func binaryCrossEntropyMatchesPyTorch() {
        for c in Self.golden.binaryCrossEntropy {
            var gradient = [Float](repeating: .nan, count: c.logits.count)
            let loss = c.weights.withOptionalPointer { w in
                c.positiveWeight.withOptionalPointer { p in
                    BinaryCrossEntropyLoss.withLogits(c.logits, targets: c.targets, rows: c.rows, classes: c.classes,
                                                      weights: w, positiveWeight: p, gradient: &gradient)
                }
            }
            #expect(abs(loss - c.loss) <= 1e-6 + 1e-5 * abs(c.loss), "\(c.name): loss \(loss) vs \(c.loss)")
            ConvGoldenTests.expectClose(gradient, c.gradient, "\(c.name) gradient", absolute: 1e-6, relative: 1e-5)
        }
    }

    @Test func crossEntropyGradientMatchesFiniteDifferences() {
        let rows = 4, classes = 3
        let logits = KernelReferenceTests.random(rows * classes, seed: 31).map { $0 * 2 }
        let labels = [2, 0, 1, 2], weights: [Float] = [0.5, 2, 1.25]
        for classWeights in [nil, weights] {
            var gradient = [Float](repeating: 0, count: logits.count)
            CrossEntropyLoss.softmax(logits: logits, labels: labels, classes: classes, classWeights: classWeights,
                                     gradient: &gradient)
            let numeric = GradientCheck.numeric(logits) {
                Double(CrossEntropyLoss.softmax(logits: $0, labels: labels, classes: classes,
                                                classWeights: classWeights, gradient: nil))
            }
            GradientCheck.expectMatches(gradient, numeric, "cross-entropy weights \(classWeights != nil)")
        }
    }

    @Test func binaryCrossEntropyGradientMatchesFiniteDifferences() {
        let rows = 4, classes = 2
        let logits = KernelReferenceTests.random(rows * classes, seed: 32).map { $0 * 3 }
        let targets: [Float] = [1, 0, 0, 1, 1, 1, 0, 0.25]
        let weights = BinaryCrossEntropyLoss.classBalancedWeights(targets: targets, negative: 0.4, positive: 1.6)
        #expect(weights == [1.6, 0.4, 0.4, 1.6, 1.6, 1.6, 0.4, 0.4])
        let positive: [Float] = [2.5, 0.7]
        var gradient = [Float](repeating: 0, count: logits.count)
        BinaryCrossEntropyLoss.withLogits(logits, targets: targets, rows: rows, classes: classes, weights: weights,
                                          positiveWeight: positive, gradient: &gradient)
        let numeric = GradientCheck.numeric(logits) {
            Double(BinaryCrossEntropyLoss.withLogits($0, targets: targets, rows: rows, classes: classes,
                                                     weights: weights, positiveWeight: positive, gradient: nil))
        }
        GradientCheck.expectMatches(gradient, numeric, "binary cross-entropy")
    }

    /// Huge logits neither overflow nor lose the loss.
    @Test func lossesAreStableForLargeLogits() {
        let ce = CrossEntropyLoss.softmax(logits: [1000, -1000, 0, 0, 0, 1000], labels: [0, 1], classes: 3,
                                          gradient: nil)
        #expect(abs(ce - 0.5 * (0 + 1000)) < 1e-3)
        var g = [Float](repeating: 0, count: 2)
        let bce = BinaryCrossEntropyLoss.withLogits([200, -200], targets: [0, 0], rows: 2, classes: 1, gradient: &g)
        #expect(abs(bce - 100) < 1e-3 && g == [0.5, 0])
    }
}

extension Optional where Wrapped == [Float] {
    /// Runs `body` with a pointer to the array's elements, or nil.
    func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .some(let array): return array.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: return body(nil)
        }
    }
}
