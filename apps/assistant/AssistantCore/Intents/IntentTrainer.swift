import Evaluation
import Foundation
import ModelRuntime

/// Trains an `IntentClassifier` head on frozen, unit-length sentence embeddings.
///
/// Multinomial logistic regression with L2 (strength chosen on validation), full-batch Adam,
/// early stopping on the validation loss; then temperature scaling on validation logits and
/// out-of-scope thresholds chosen on validation by a sweep (docs/INTENTS.md states the rule).
public enum IntentTrainer {
    public struct Options: Sendable {
        /// L2 strengths tried (on the mean loss); the one with the lowest validation loss is kept.
        var l2Candidates: [Float] = [1e-4, 1e-5, 1e-6]
        public var learningRate: Float = 0.05
        var maxIterations = 600
        /// Stop after this many evaluations (every 10 iterations) without a better validation loss.
        package var patience = 10
        public var outOfScopeLabel: String? = "oos"
        /// With out-of-scope validation examples, the thresholds must catch at least this share of
        /// them; among those that do, the best in-scope accuracy wins.
        public var requiredOutOfScopeRecall = 0.8
        /// A head to keep instead of fitting one (the fine-tuning head of `EncoderFineTuner`,
        /// `[labels × dimension]` and `[labels]`, labels sorted); only calibration, centroids and
        /// thresholds are then fitted.
        package var fixedHead: (weights: [Float], bias: [Float])?
        public init() {}
    }

    /// One row of the threshold sweep.
    package struct SweepRow: Codable, Sendable, Equatable {
        package var minimumProbability: Double
        package var minimumMargin: Double
        package var inScopeAccuracy: Double
        package var outOfScopeRecall: Double?
    }

    public struct Report: Codable, Sendable, Equatable {
        var trainExamples: Int
        var validationExamples: Int
        package var iterations: Int
        /// The L2 strength kept (0 for a fixed head).
        package var l2: Double
        var validationLoss: Double
        public var temperature: Double
        public var validationAccuracy: Double
        public var validationInScopeAccuracy: Double
        public var validationOutOfScopeRecall: Double?
        /// The out-of-scope recall the thresholds had to reach (`Options.requiredOutOfScopeRecall`).
        public var requiredOutOfScopeRecall: Double
        package var sweep: [SweepRow]
    }

    /// - Parameters:
    ///   - train, validation: unit embeddings with their labels (labels may include the OOS label).
    public static func train(train: [([Float], String)], validation: [([Float], String)], embeddingModel: String,
                             options: Options = Options()) throws -> (IntentClassifier, Report) {
        guard let d = train.first?.0.count, !validation.isEmpty else {
            throw ClassifierError.invalidExamples("training needs examples and a validation set")
        }
        let labels = Array(Set(train.map(\.1))).sorted()
        guard labels.count >= 2 else { throw ClassifierError.invalidExamples("training needs at least two intents") }
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        if let unknown = validation.first(where: { index[$0.1] == nil }) {
            throw ClassifierError.invalidExamples("validation intent '\(unknown.1)' does not occur in the training examples")
        }
        let k = labels.count
        let x = train.flatMap(\.0), y = train.map { index[$0.1]! }
        let vx = validation.flatMap(\.0), vy = validation.map { index[$0.1]! }

        let trainX = Tensor(shape: [y.count, d], values: x), validationX = Tensor(shape: [vy.count, d], values: vx)
        let head: Fit
        if let fixed = options.fixedHead {
            precondition(fixed.weights.count == k * d && fixed.bias.count == k, "fixed head of the wrong shape")
            let linear = LinearHead(features: d, classes: k)
            linear.load(weights: fixed.weights, biases: fixed.bias)
            head = Fit(w: fixed.weights, b: fixed.bias, loss: linear.loss(validationX, labels: vy, accumulateGradients: false),
                       iterations: 0, l2: 0)
        } else {
            guard !options.l2Candidates.isEmpty else { throw ClassifierError.invalidExamples("no L2 strength to try") }
            head = try options.l2Candidates
                .map { try fitHead(x: trainX, y: y, vx: validationX, vy: vy, classes: k, l2: $0, options: options) }
                .min { $0.loss < $1.loss }!
        }
        let (w, b) = (head.w, head.b)

        // Calibrate, then centroids and thresholds.
        let calibrated = LinearHead(features: d, classes: k)
        calibrated.load(weights: w, biases: b)
        let logits = calibrated.logits(validationX).scalars.map(Double.init)
        let fit = try TemperatureScaling.fit(logits: logits, classCount: k, labels: vy)
        var centroids = [Float](repeating: 0, count: k * d)
        for (vector, label) in train {
            let row = index[label]! * d
            for i in 0..<d { centroids[row + i] += vector[i] }
        }
        for c in 0..<k {
            let norm = (0..<d).reduce(Float(0)) { $0 + centroids[c * d + $1] * centroids[c * d + $1] }.squareRoot()
            if norm > 0 { for i in 0..<d { centroids[c * d + i] /= norm } }
        }
        var classifier = IntentClassifier(
            format: IntentClassifier.format, embeddingModel: embeddingModel, labels: labels, dimension: d,
            weights: w, bias: b, centroids: centroids, temperature: fit.temperature,
            thresholds: .init(minimumProbability: 0, minimumSimilarity: -1, minimumMargin: 0),
            outOfScopeLabel: options.outOfScopeLabel.flatMap { index[$0] != nil ? $0 : nil })
        let oos = options.outOfScopeLabel
        let predictions = validation.map { classifier.predict($0.0) }
        let inScopeSimilarities = zip(validation, predictions).filter { $0.0.1 != oos }.map(\.1.similarity).sorted()
        classifier.thresholds.minimumSimilarity = inScopeSimilarities.isEmpty
            ? -1 : inScopeSimilarities[Int(Double(inScopeSimilarities.count - 1) * 0.01)]

        var sweep: [SweepRow] = []
        for p in stride(from: 0.0, through: 0.9, by: 0.05) {
            for m in [0.0, 0.02, 0.05, 0.1] {
                var candidate = classifier
                candidate.thresholds.minimumProbability = p
                candidate.thresholds.minimumMargin = m
                sweep.append(evaluate(candidate, validation, oosLabel: oos))
            }
        }
        let chosen = choose(sweep, requiredOutOfScopeRecall: options.requiredOutOfScopeRecall)
        classifier.thresholds.minimumProbability = chosen.minimumProbability
        classifier.thresholds.minimumMargin = chosen.minimumMargin
        let final = evaluate(classifier, validation, oosLabel: oos)
        let accuracy = Double(zip(validation, validation.map { classifier.predict($0.0).ranking[0].label }).filter { $0.0.1 == $0.1 }.count)
            / Double(validation.count)
        return (classifier, Report(
            trainExamples: train.count, validationExamples: validation.count, iterations: head.iterations,
            l2: Double(head.l2), validationLoss: head.loss, temperature: fit.temperature, validationAccuracy: accuracy,
            validationInScopeAccuracy: final.inScopeAccuracy, validationOutOfScopeRecall: final.outOfScopeRecall,
            requiredOutOfScopeRecall: options.requiredOutOfScopeRecall, sweep: sweep))
    }

    /// A fitted head: `w` `[k × d]`, `b` `[k]`, its validation loss, the iterations run and its L2.
    struct Fit {
        var w: [Float], b: [Float], loss: Double, iterations: Int, l2: Float
    }

    /// Full-batch Adam from zero on `x` `[n, d]` / `y` (one step per epoch of a `TrainingRun`,
    /// nothing written), keeping the weights of the lowest validation loss (checked every 10
    /// steps, stopping after `options.patience` checks without an improvement of 1e-6).
    static func fitHead(x: Tensor, y: [Int], vx: Tensor, vy: [Int], classes: Int, l2: Float, options: Options) throws -> Fit {
        struct Identity: RunIdentity {
            var l2: Float
            func difference(from other: Identity) -> String { "the L2 strength differs" }
        }
        let linear = LinearHead(features: x.shape[1], classes: classes)
        let group = OptimizedParameters(name: "head", parameters: linear.parameters, optimizer: AdamW(weightDecay: 0))
        var configuration = TrainingRun<Identity>.Configuration(epochs: options.maxIterations, seed: 0, stepStream: "unused",
                                                                folder: nil)
        configuration.validationInterval = 10
        configuration.patience = options.patience
        configuration.minimumImprovement = 1e-6
        let everything = Array(0..<y.count)
        let progress = try TrainingRun(identity: Identity(l2: l2), configuration: configuration, groups: [group]).run(
            batches: { _, _ in [everything] },
            step: { _, _, _ in
                linear.parameters.zeroGradients()
                let loss = linear.loss(x, labels: y, l2: l2, accumulateGradients: true)
                group.step(learningRate: options.learningRate)
                return Float(loss)
            },
            validate: { -linear.loss(vx, labels: vy, accumulateGradients: false) })
        return Fit(w: linear.weights, b: linear.biases, loss: -(progress.bestMetric ?? -.infinity),
                   iterations: progress.epochsDone, l2: l2)
    }

    /// The sweep row whose thresholds are kept (docs/INTENTS.md). With out-of-scope validation
    /// rows: the best in-scope accuracy among the rows whose out-of-scope recall reaches
    /// `requiredOutOfScopeRecall` (ties: the higher recall, then the stricter thresholds); when no
    /// row reaches it, the best sum of in-scope accuracy and recall. Without them: the strictest
    /// thresholds that keep in-scope accuracy within 1 point of the best.
    static func choose(_ sweep: [SweepRow], requiredOutOfScopeRecall: Double) -> SweepRow {
        func strictness(_ r: SweepRow) -> (Double, Double) { (r.minimumProbability, r.minimumMargin) }
        guard sweep.contains(where: { $0.outOfScopeRecall != nil }) else {
            let top = sweep.map(\.inScopeAccuracy).max() ?? 0
            return sweep.filter { $0.inScopeAccuracy >= top - 0.01 }.max { strictness($0) < strictness($1) }!
        }
        let reaching = sweep.filter { ($0.outOfScopeRecall ?? 0) >= requiredOutOfScopeRecall }
        if !reaching.isEmpty {
            return reaching.max {
                ($0.inScopeAccuracy, $0.outOfScopeRecall ?? 0, $0.minimumProbability, $0.minimumMargin)
                    < ($1.inScopeAccuracy, $1.outOfScopeRecall ?? 0, $1.minimumProbability, $1.minimumMargin)
            }!
        }
        return sweep.max { ($0.inScopeAccuracy + ($0.outOfScopeRecall ?? 0), $0.minimumProbability, $0.minimumMargin)
            < ($1.inScopeAccuracy + ($1.outOfScopeRecall ?? 0), $1.minimumProbability, $1.minimumMargin) }!
    }

    /// In-scope accuracy (escalations count as wrong) and OOS recall of a classifier on labelled vectors.
    static func evaluate(_ classifier: IntentClassifier, _ data: [([Float], String)], oosLabel: String?) -> SweepRow {
        var inScope = 0, inScopeRight = 0, oos = 0, oosCaught = 0
        for (vector, label) in data {
            let p = classifier.predict(vector)
            if label == oosLabel {
                oos += 1
                if p.verdict != .inScope { oosCaught += 1 }
            } else {
                inScope += 1
                if p.verdict == .inScope && p.ranking[0].label == label { inScopeRight += 1 }
            }
        }
        return SweepRow(minimumProbability: classifier.thresholds.minimumProbability, minimumMargin: classifier.thresholds.minimumMargin,
                        inScopeAccuracy: inScope > 0 ? Double(inScopeRight) / Double(inScope) : 0,
                        outOfScopeRecall: oos > 0 ? Double(oosCaught) / Double(oos) : nil)
    }
}
