import Foundation
import ModelRuntime
import TestSupport
import Testing

/// The one training loop (`TrainingRun`) on a linear softmax head: it learns, keeps the best
/// validation, stops early, resumes exactly after an interruption, refuses another run's
/// checkpoint; and the head's gradients match finite differences.
struct TrainingRunTests {
    struct Identity: RunIdentity {
        var seed: UInt64
        func difference(from other: Identity) -> String { "the seed differs" }
    }

    struct Interrupted: Error {}

    /// Two Gaussian blobs in 4 dimensions, `n` points each.
    static func blobs(_ n: Int, seed: UInt64) -> (x: Tensor, y: [Int]) {
        var g = SeededGenerator(seed: seed)
        var values: [Float] = [], labels: [Int] = []
        for i in 0..<(2 * n) {
            let label = i % 2
            for d in 0..<4 { values.append(Float.random(in: -1...1, using: &g) + (d == label ? 1.5 : 0)) }
            labels.append(label)
        }
        return (Tensor(shape: [2 * n, 4], values: values), labels)
    }

    /// Trains a head for `epochs` epochs in `folder` (nil: in memory), batches of 8.
    static func train(epochs: Int, seed: UInt64 = 1, folder: URL?, patience: Int? = nil,
                      validate: ((LinearHead) -> Double)? = nil,
                      events: (TrainingEvent) throws -> Void = { _ in }) throws -> (LinearHead, TrainingProgress) {
        let (x, y) = blobs(40, seed: 9), (vx, vy) = blobs(20, seed: 10)
        let head = LinearHead(features: 4, classes: 2)
        let group = OptimizedParameters(name: "head", parameters: head.parameters, optimizer: AdamW(weightDecay: 0))
        var configuration = TrainingRun<Identity>.Configuration(epochs: epochs, seed: seed, stepStream: "noise", folder: folder)
        configuration.patience = patience
        let run = TrainingRun(identity: Identity(seed: seed), configuration: configuration, groups: [group])
        let progress = try run.run(
            batches: { _, shuffle in
                let order = Array(0..<y.count).shuffled(using: &shuffle)
                return stride(from: 0, to: order.count, by: 8).map { Array(order[$0..<min($0 + 8, order.count)]) }
            },
            step: { batch, _, noise in
                let rows = Tensor(shape: [batch.count, 4], values: batch.flatMap { i in
                    (0..<4).map { x.scalars[i * 4 + $0] + Float.random(in: -0.01...0.01, using: &noise) }
                })
                head.parameters.zeroGradients()
                let loss = head.loss(rows, labels: batch.map { y[$0] }, accumulateGradients: true)
                group.step(learningRate: 0.05)
                return Float(loss)
            },
            validate: { validate?(head) ?? -head.loss(vx, labels: vy, accumulateGradients: false) },
            progress: events)
        return (head, progress)
    }

    @Test func learnsAndKeepsTheBestValidation() throws {
        var metrics: [Double] = []
        var counter = 0
        // A metric that peaks at epoch 3: the parameters of epoch 3 must be the ones kept.
        var atEpoch3: [Float] = []
        let (head, progress) = try Self.train(epochs: 6, folder: nil, validate: { head in
            counter += 1
            if counter == 3 { atEpoch3 = head.weights }
            return counter == 3 ? 1 : Double(counter) / 100
        }, events: { if case .epoch(_, _, _, let m?, _, _) = $0 { metrics.append(m) } })
        #expect(metrics.count == 6 && progress.bestEpoch == 3 && progress.metrics == metrics)
        #expect(head.weights == atEpoch3)
        let (trained, _) = try Self.train(epochs: 8, folder: nil)
        let (vx, vy) = Self.blobs(20, seed: 10)
        let accuracy = Double(zip(trained.predictions(vx), vy).filter { $0 == $1 }.count) / Double(vy.count)
        #expect(accuracy >= 0.9, "accuracy \(accuracy)")
    }

    @Test func stopsAfterPatienceValidationsWithoutImprovement() throws {
        var stopped: Int?
        let (_, progress) = try Self.train(epochs: 20, folder: nil, patience: 2, validate: { _ in 0.5 },
                                           events: { if case .stoppedEarly(let e) = $0 { stopped = e } })
        #expect(progress.bestEpoch == 1 && progress.epochsDone == 3 && progress.stoppedEarly && stopped == 3)
    }

    @Test func anInterruptedRunResumesExactlyAndRefusesAnotherRun() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let straight = folder.appendingPathComponent("straight"), resumed = folder.appendingPathComponent("resumed")
        for url in [straight, resumed] { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        let (a, straightProgress) = try Self.train(epochs: 4, folder: straight)
        #expect(throws: Interrupted.self) {
            try Self.train(epochs: 4, folder: resumed, events: { if case .epoch(2, _, _, _, _, _) = $0 { throw Interrupted() } })
        }
        #expect(FileManager.default.fileExists(atPath: resumed.appendingPathComponent("checkpoint.safetensors").path))
        var resumedFrom: Int?
        let (b, resumedProgress) = try Self.train(epochs: 4, folder: resumed, events: {
            if case .resumed(let done) = $0 { resumedFrom = done }
        })
        #expect(resumedFrom == 2)
        #expect(a.weights == b.weights && a.biases == b.biases)
        #expect(resumedProgress.metrics == straightProgress.metrics && resumedProgress.bestEpoch == straightProgress.bestEpoch)
        // The same folder with another seed: refused, naming the difference.
        #expect { try Self.train(epochs: 4, seed: 2, folder: resumed) } throws: {
            guard case TrainingError.checkpointMismatch(_, let detail) = $0 else { return false }
            return detail == "the seed differs"
        }
    }

    @Test func headGradientsMatchFiniteDifferences() throws {
        let (x, y) = Self.blobs(3, seed: 4)
        let head = LinearHead(features: 4, classes: 2)
        var g = SeededGenerator(seed: 5)
        head.load(weights: (0..<8).map { _ in Float.random(in: -1...1, using: &g) }, biases: [0.3, -0.2])
        let l2: Float = 0.1
        head.parameters.zeroGradients()
        _ = head.loss(x, labels: y, l2: l2, accumulateGradients: true)
        let analytic = Array(head.parameters.allGradients.prefix(8))
        let start = head.weights
        let numeric = GradientCheck.numeric(start) { w in
            head.load(weights: w, biases: [0.3, -0.2])
            return head.loss(x, labels: y, l2: l2, accumulateGradients: false)
        }
        GradientCheck.expectMatches(analytic, numeric, "dW")
        #expect(analytic.contains { abs($0) > 1e-3 }, "the gradient is not all zero")
        // ∂X of `backward` against finite differences of the logits' projection.
        head.load(weights: start, biases: [0.3, -0.2])
        let r = Tensor(shape: [6, 2], values: (0..<12).map { Float($0 % 5) - 2 })
        let dX = head.backward(x, logitsGradient: r).scalars
        let numericX = GradientCheck.numeric(x.scalars) { v in
            GradientCheck.projection(head.logits(Tensor(shape: [6, 4], values: v)).scalars, r.scalars)
        }
        GradientCheck.expectMatches(dX, numericX, "dX")
    }
}
