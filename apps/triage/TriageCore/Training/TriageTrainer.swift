import Evaluation
public import Foundation
import Imaging
public import ModelRuntime
import SuiteFoundation

/// `triage train`: trains the triage ResNet from scratch on a labels CSV, keeps the epoch with
/// the best validation AUC, calibrates a temperature and chooses the thresholds on validation,
/// fits the input gate (`GateFitting`), and writes a model folder (`model.json`, `weights.safetensors`, `MODEL_CARD.md`).
///
/// Runs are reproducible: initial weights, shuffles and augmentations come from `seed` through
/// named streams (`FreshWeights`, `SeededGenerator(seed:stream:)`), one per epoch, so a run
/// resumed from its checkpoint continues exactly.
public struct TriageTrainer {
    public struct Options: Sendable {
        public var settings: TrainingSettings
        /// Class names in logit order and the positive finding.
        public var labels: [String]
        public var positiveLabel: String
        public var name: String
        /// Side of the square model input (the data's size for PneumoniaMNIST: 28).
        package var inputSize: Int
        /// The command line, for provenance.
        public var command: String

        public init(settings: TrainingSettings = .standard, labels: [String] = ["normal", "pneumonia"],
                    positiveLabel: String = "pneumonia", name: String = "pneumonia-resnet", inputSize: Int = 28,
                    command: String) {
            self.settings = settings
            self.labels = labels
            self.positiveLabel = positiveLabel
            self.name = name
            self.inputSize = inputSize
            self.command = command
        }
    }

    /// What the trainer reports as it goes.
    public enum Event: Sendable {
        case loaded(train: Int, validation: Int)
        /// The epochs: steps, validation AUC (the metric), resumption.
        case training(TrainingEvent)
        case finished(TriageModelSpec)
    }

    /// What must match for a resume.
    struct Identity: RunIdentity {
        var settings: TrainingSettings
        var trainSHA256: String
        var validationSHA256: String

        func difference(from other: Identity) -> String {
            other.settings != settings ? "settings differ" : "the labels files differ"
        }
    }

    public let options: Options
    public init(options: Options) { self.options = options }

    /// Trains and writes the model folder `output` (created if needed; its checkpoint is resumed
    /// when present, removed on success).
    ///
    /// - Throws: `TrainingError`, `LabelsError` (an image that cannot be read, with its CSV line),
    ///   `SafeTensorsError` for unwritable files. Nothing is written over an existing model
    ///   until the new one is complete.
    @discardableResult
    public func run(train: LabelledImages, validation: LabelledImages, output: URL,
                    progress: (Event) throws -> Void = { _ in }) throws -> TriageModelSpec {
        let s = options.settings
        try s.validate()
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw TrainingError.io(path: output.path, detail: "cannot create: \(error.localizedDescription)")
        }
        let side = options.inputSize
        var input = TriageModelSpec.Input(width: side, height: side, mean: [0], std: [1])
        let pipeline = InputPipeline(input)
        let trainImages = try Self.load(train, pipeline)
        let validationImages = try Self.load(validation, pipeline)
        try progress(.loaded(train: trainImages.count, validation: validationImages.count))
        // Normalisation from the training pixels.
        let (mean, std) = Self.meanAndStd(trainImages)
        input.mean = [mean]
        input.std = [std]
        let normaliser = Normaliser(mean: mean, std: std, plane: side * side)

        let architecture = s.architecture(classes: options.labels.count)
        let fresh = FreshWeights(seed: s.seed, rule: FreshWeights.torchvisionResNet(classifierInFeatures: architecture.features))
        let network = try TrainableResNet(config: architecture, weights: fresh)
        let group = OptimizedParameters(name: "network", parameters: network.parameters,
                                        optimizer: AdamW(weightDecay: s.weightDecay))
        let run = TrainingRun(
            identity: Identity(settings: s, trainSHA256: train.sha256, validationSHA256: validation.sha256),
            configuration: .init(epochs: s.epochs, seed: s.seed, stepStream: "augment", folder: output), groups: [group])

        let labels = train.rows.map(\.label)
        let classWeights = s.classWeighting == .balanced ? Self.balancedWeights(labels, classes: options.labels.count) : nil
        let batches = Self.batchCount(trainImages.count, batchSize: s.batchSize)
        let schedule = LearningRateSchedule.cosine(base: s.learningRate, minimum: 0, warmupSteps: s.warmupEpochs * batches,
                                                   totalSteps: s.epochs * batches)
        let positive = options.labels.firstIndex(of: options.positiveLabel) ?? 1
        let validationLabels = validation.rows.map { $0.label == positive }

        let state = try run.run(
            batches: { _, shuffle in
                let order = Array(trainImages.indices).shuffled(using: &shuffle)
                return (0..<batches).map { b in Array(order[(b * order.count / batches)..<((b + 1) * order.count / batches)]) }
            },
            step: { members, step, augmenter in
                let x = normaliser.batch(members.map { i in
                    var samples = trainImages[i]
                    s.augmentation.apply(&samples, width: side, height: side, using: &augmenter)
                    return samples
                })
                let (logits, tape) = network.forward(x)
                let (loss, gradient) = CrossEntropyLoss.softmax(logits: logits, labels: members.map { labels[$0] },
                                                                classWeights: classWeights)
                network.parameters.zeroGradients()
                network.backward(tape, logitsGradient: gradient)
                group.step(learningRate: schedule.learningRate(atStep: step))
                return loss
            },
            validate: {
                let logits = try Self.logits(network.inferenceModel(), validationImages, normaliser)
                return try BinaryPredictions(labels: validationLabels,
                                             probabilities: Self.probabilities(logits, classes: options.labels.count,
                                                                               positive: positive)).rocAUC()
            },
            progress: { try progress(.training($0)) })

        // The best epoch (now in the parameters), calibrated and thresholded on validation.
        let logits = try Self.logits(network.inferenceModel(), validationImages, normaliser)
        let provenance = Provenance(
            command: options.command, train: train.summary, validation: validation.summary, settings: s,
            selectedEpoch: state.bestEpoch, validationAUCByEpoch: state.metrics,
            trainableParameters: network.parameters.trainableCount, trainingSeconds: state.seconds,
            finishedAt: Timestamp.now(), threads: ComputeThreads.current,
            blasCore: ComputeThreads.blasCore)
        let uncalibrated = TriageModelSpec(
            name: options.name, architecture: architecture, input: input, labels: options.labels,
            positiveLabel: options.positiveLabel, temperature: 1, threshold: 0.5, thresholdRule: "",
            urgency: .init(priority: 0.5, urgent: 0.5), provenance: provenance)
        let offsets = ModelCalibration.offsets(classWeighting: s.classWeighting, trainingCounts: train.counts,
                                               labels: options.labels)
        let calibrated = try ModelCalibration.calibrate(uncalibrated, logits: logits, offsets: offsets, validation: validation)
        // The input gate: feature statistics of train, threshold on validation, figures.
        let spec = try GateFitting(model: TriageModel(spec: calibrated, network: try network.inferenceModel(), id: options.name))
            .fitted(train: train, validation: validation)
        try spec.validate(path: output.appendingPathComponent(TriageModel.specFile).path)
        // The best epoch's file becomes the folder's weights.
        try ModelFolderWriter.write(spec: spec, weights: output.appendingPathComponent(TrainingRun<Identity>.bestFileName),
                                    to: output)
        run.removeFiles()
        try progress(.finished(spec))
        return spec
    }

    // MARK: - Data

    /// Every image of `labels` as unit-range samples `[side · side]`, in CSV order.
    static func load(_ labels: LabelledImages, _ pipeline: InputPipeline) throws -> [[Float]] {
        try labels.rows.map { row in
            do {
                let data = try Data(contentsOf: row.url)
                let decoded = try pipeline.decode(data, file: row.url.path)
                return pipeline.unitInput(decoded.gray).floatSamples!
            } catch {
                throw LabelsError.image(path: labels.path, line: row.line, detail: "\(row.file): \(error)")
            }
        }
    }

    static func meanAndStd(_ images: [[Float]]) -> (Float, Float) {
        var sum = 0.0, squares = 0.0, count = 0
        for image in images {
            for v in image {
                sum += Double(v)
                squares += Double(v) * Double(v)
            }
            count += image.count
        }
        let mean = sum / Double(max(count, 1))
        let variance = max(squares / Double(max(count, 1)) - mean * mean, 1e-12)
        return (Float(mean), Float(variance.squareRoot()))
    }

    /// Inverse class frequencies scaled to mean 1 over the examples.
    static func balancedWeights(_ labels: [Int], classes: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: classes)
        for l in labels { counts[l] += 1 }
        return counts.map { $0 == 0 ? 0 : Float(labels.count) / Float(classes * $0) }
    }

    /// Batches per epoch: as many as `batchSize` allows, spreading the remainder so none has fewer than 2 images.
    static func batchCount(_ count: Int, batchSize: Int) -> Int {
        max(1, min((count + batchSize - 1) / batchSize, count / 2))
    }

    /// Eval-mode logits `[n, classes]` row-major, in batches of 256.
    static func logits(_ network: ResNet, _ images: [[Float]], _ normaliser: Normaliser) -> [Float] {
        var logits: [Float] = []
        for start in stride(from: 0, to: images.count, by: 256) {
            let batch = Array(images[start..<min(start + 256, images.count)])
            logits += network.forward(normaliser.batch(batch)).logits.scalars
        }
        return logits
    }

    /// Uncalibrated positive-class probabilities (for ranking: AUC per epoch).
    static func probabilities(_ logits: [Float], classes: Int, positive: Int) -> [Double] {
        stride(from: 0, to: logits.count, by: classes).map {
            TriageModel.softmax(logits[$0..<($0 + classes)], offsets: Array(repeating: 0, count: classes), temperature: 1)[positive]
        }
    }
}

/// `(v − mean) / std` of unit-range images into a model batch.
struct Normaliser {
    let mean: Float, std: Float, plane: Int

    /// - Returns: `[images.count, 1, side, side]`
    func batch(_ images: [[Float]]) -> Tensor {
        let side = Int(Double(plane).squareRoot())
        let inverse = 1 / std
        return Tensor(shape: [images.count, 1, side, side]) { out in
            for (i, image) in images.enumerated() {
                let dst = out.baseAddress! + i * plane
                for p in 0..<plane { dst[p] = (image[p] - mean) * inverse }
            }
        }
    }
}
