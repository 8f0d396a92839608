import Crypto
public import Foundation
public import ModelRuntime
import Tokenization

/// Supervised fine-tuning of the sentence encoder for intent classification
/// (`assistant train --fine-tune-layers K`, docs/INTENTS.md): the top K layers of the encoder
/// and a linear head on its unit embeddings are trained with cross-entropy over the training
/// intents (the out-of-scope label, when present, is one more class; the head starts from a
/// logistic regression on the base encoder's embeddings), AdamW with warm-up and
/// cosine decay, hidden dropout, batches of similar lengths. The epoch with the best validation accuracy is
/// written as a sentence-transformers folder, and the texts are embedded with it, ready for
/// `IntentTrainer` (calibrated head and out-of-scope thresholds).
///
/// The frozen part (embeddings and the layers below) is run once per text and cached; each
/// step runs forward and backward through the top K layers only. Runs are reproducible: the
/// shuffle and dropout masks of each epoch come from the seed and the epoch, so a run resumed
/// from its checkpoint continues exactly.
public struct EncoderFineTuner {
    /// What the fine-tuner reports as it goes.
    public enum Event: Sendable {
        /// The frozen states of every text are cached.
        case prepared(train: Int, validation: Int, tokens: Int, seconds: Double)
        /// The head starts from a logistic regression on the base encoder's embeddings.
        case probed(validationAccuracy: Double, seconds: Double)
        /// The epochs: steps, validation accuracy (the metric), resumption.
        case training(TrainingEvent)
    }

    /// What must match for a resume.
    struct Identity: RunIdentity {
        var settings: FineTuneSettings
        var baseEncoder: String
        var labels: [String]
        var trainSHA256: String
        var validationSHA256: String

        func difference(from other: Identity) -> String {
            other.settings != settings ? "settings differ" : other.baseEncoder != baseEncoder ? "the base encoder differs"
                : "the examples differ"
        }
    }

    /// What the run did, for the model card.
    public struct Report: Codable, Sendable, Equatable {
        public var settings: FineTuneSettings
        var baseEncoder: String
        public var selectedEpoch: Int
        /// Argmax accuracy of the fine-tuning head on validation (the out-of-scope label counted as a class).
        package var validationAccuracyByEpoch: [Double]
        public var trainableParameters: Int
        public var trainingSeconds: Double
    }

    public struct Result: Sendable {
        /// The fine-tuned sentence-transformers folder.
        public var encoderFolder: URL
        /// The training intents, sorted: the rows of `headWeights`.
        public var labels: [String]
        /// The fine-tuning head of the kept epoch on unit embeddings: `[labels × hidden]` and `[labels]`.
        var headWeights: [Float]
        package var headBias: [Float]
        /// Unit embeddings by the fine-tuned encoder, in input order.
        package var trainEmbeddings: [[Float]]
        package var validationEmbeddings: [[Float]]
        public var report: Report
    }

    /// The fine-tuned encoder's folder inside the classifier folder.
    package static let encoderFolderName = "encoder"

    /// L2 of the linear probe that starts the head: the recipe behind the recorded figures.
    /// Stronger than the validation-chosen L2 of a frozen classifier; on Banking77 a probe at
    /// 1e-6 (91.6% on its own) led fine-tuning to 92.5%, one at 1e-4 (90.1%) to 92.9%, a gap
    /// within the spread between seeds (docs/INTENTS.md).
    static let probeL2: Float = 1e-4

    public let settings: FineTuneSettings
    public init(settings: FineTuneSettings) { self.settings = settings }

    /// Fine-tunes `base` (loaded from `baseFolder`) and writes `output/encoder/`. A checkpoint
    /// in `output` is resumed; it is removed on success.
    ///
    /// - Throws: `TrainingError`, `ClassifierError.invalidExamples` (a validation intent that
    ///   training lacks), file errors naming the file.
    public func run(train: [LabelledText], validation: [LabelledText], base: SentenceEncoder, baseFolder: URL,
                    output: URL, progress: (Event) throws -> Void = { _ in }) throws -> Result {
        let s = settings
        try s.validate(layers: base.model.config.numHiddenLayers)
        let labels = Array(Set(train.map(\.intent))).sorted()
        guard labels.count >= 2 else { throw ClassifierError.invalidExamples("training needs at least two intents") }
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        if let unknown = validation.first(where: { index[$0.intent] == nil }) {
            throw ClassifierError.invalidExamples("validation intent '\(unknown.intent)' does not occur in the training examples")
        }
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw ModelError.cannotWrite(path: output.path, detail: error.localizedDescription)
        }
        let baseVersion = ModelLocator.version(of: baseFolder)
        let model = try TrainableBERT(
            config: base.model.config, weights: SafeTensorsFile(url: baseFolder.appendingPathComponent("model.safetensors")),
            trainableLayers: s.trainableLayers, pooling: base.pooling.mode, normalizes: base.normalizes)
        let h = model.config.hiddenSize, k = labels.count

        let started = Date()
        let trainCache = try StateCache(texts: train.map(\.text), base: base, model: model)
        let validationCache = try StateCache(texts: validation.map(\.text), base: base, model: model)
        try progress(.prepared(train: train.count, validation: validation.count,
                               tokens: trainCache.lengths.reduce(0, +) + validationCache.lengths.reduce(0, +),
                               seconds: Date().timeIntervalSince(started)))
        let trainLabels = train.map { index[$0.intent]! }, validationLabels = validation.map { index[$0.intent]! }

        let head = LinearHead(features: h, classes: k)
        let encoderGroup = OptimizedParameters(name: "encoder", parameters: model.parameters,
                                               optimizer: AdamW(weightDecay: s.weightDecay))
        let headGroup = OptimizedParameters(name: "head", parameters: head.parameters, optimizer: AdamW(weightDecay: 0))
        let identity = Identity(settings: s, baseEncoder: baseVersion, labels: labels, trainSHA256: Self.digest(train),
                                validationSHA256: Self.digest(validation))
        let run = TrainingRun(identity: identity,
                              configuration: .init(epochs: s.epochs, seed: s.seed, stepStream: "dropout", folder: output),
                              groups: [encoderGroup, headGroup])
        if !run.hasCheckpoint && s.linearProbe {
            let probeStarted = Date()
            var probeOptions = IntentTrainer.Options()
            probeOptions.l2Candidates = [Self.probeL2]
            let (probe, probeReport) = try IntentTrainer.train(
                train: Array(zip(Self.embeddings(model, trainCache), train.map(\.intent))),
                validation: Array(zip(Self.embeddings(model, validationCache), validation.map(\.intent))),
                embeddingModel: baseVersion, options: probeOptions)
            precondition(probe.labels == labels && probe.dimension == h, "the probe's labels are the head's")
            head.load(weights: probe.weights, biases: probe.bias)
            try progress(.probed(validationAccuracy: probeReport.validationAccuracy, seconds: Date().timeIntervalSince(probeStarted)))
        }

        var counter = SeededGenerator(seed: s.seed, stream: "shuffle/0")
        let batchesPerEpoch = Self.batches(lengths: trainCache.lengths, batchSize: s.batchSize, using: &counter).count
        let total = s.epochs * batchesPerEpoch, warmup = Int(Float(total) * s.warmupFraction)
        let encoderSchedule = LearningRateSchedule.cosine(base: s.encoderLearningRate, warmupSteps: warmup, totalSteps: total,
                                                          warmupStartFactor: 0)
        let headSchedule = LearningRateSchedule.cosine(base: s.headLearningRate, warmupSteps: warmup, totalSteps: total,
                                                       warmupStartFactor: 0)
        let state = try run.run(
            batches: { _, shuffle in Self.batches(lengths: trainCache.lengths, batchSize: s.batchSize, using: &shuffle) },
            step: { members, step, dropout in
                let (embeddings, tape) = model.forward(states: trainCache.states(members), lengths: members.map { trainCache.lengths[$0] },
                                                       dropout: s.dropout, using: &dropout)
                model.parameters.zeroGradients()
                head.parameters.zeroGradients()
                let (loss, logitsGradient) = CrossEntropyLoss.softmax(logits: head.logits(embeddings),
                                                                      labels: members.map { trainLabels[$0] })
                model.backward(tape, embeddingsGradient: head.backward(embeddings, logitsGradient: logitsGradient))
                model.parameters.clipGradientNorm(Double(s.maxGradientNorm))
                head.parameters.clipGradientNorm(Double(s.maxGradientNorm))
                encoderGroup.step(learningRate: encoderSchedule.learningRate(atStep: step))
                headGroup.step(learningRate: headSchedule.learningRate(atStep: step))
                return loss
            },
            validate: {
                let predictions = Self.predictions(model, validationCache, head)
                return Double(zip(predictions, validationLabels).filter { $0 == $1 }.count) / Double(max(validation.count, 1))
            },
            progress: { try progress(.training($0)) })

        // The best epoch (now in the parameters), written as a model folder and used to embed every text.
        let folder = output.appendingPathComponent(Self.encoderFolderName)
        try SentenceEncoder.writeFolder(
            base: baseFolder, replacements: model.parameters,
            metadata: ["fine_tuned_from": baseVersion, "trained_layers": String(s.trainableLayers),
                       "selected_epoch": String(state.bestEpoch), "parameters_sha256": Self.digest(model.parameters)],
            to: folder)
        let result = Result(
            encoderFolder: folder, labels: labels, headWeights: head.weights, headBias: head.biases, trainEmbeddings: Self.embeddings(model, trainCache),
            validationEmbeddings: Self.embeddings(model, validationCache),
            report: Report(settings: s, baseEncoder: baseVersion, selectedEpoch: state.bestEpoch,
                           validationAccuracyByEpoch: state.metrics, trainableParameters: model.parameters.trainableCount,
                           trainingSeconds: state.seconds))
        run.removeFiles()
        return result
    }

    // MARK: - Batches

    /// One epoch's batches: the examples shuffled with `generator` (the epoch's `shuffle` stream),
    /// sorted by length within windows of 32 batches so that each batch has similar lengths, cut
    /// into batches, and the batches shuffled. Every example is in exactly one batch.
    static func batches(lengths: [Int], batchSize: Int, using generator: inout SeededGenerator) -> [[Int]] {
        let order = Array(lengths.indices).shuffled(using: &generator)
        var batches: [[Int]] = []
        let window = batchSize * 32
        for start in stride(from: 0, to: order.count, by: window) {
            let sorted = order[start..<min(start + window, order.count)]
                .sorted { (lengths[$0], $0) < (lengths[$1], $1) }
            for b in stride(from: 0, to: sorted.count, by: batchSize) {
                batches.append(Array(sorted[b..<min(b + batchSize, sorted.count)]))
            }
        }
        batches.shuffle(using: &generator)
        return batches
    }

    // MARK: - Head

    /// Arg-max class of every cached text under the current parameters.
    static func predictions(_ model: TrainableBERT, _ cache: StateCache, _ head: LinearHead) -> [Int] {
        let vectors = embeddings(model, cache)
        return stride(from: 0, to: vectors.count, by: 256).flatMap { start -> [Int] in
            let rows = Array(vectors[start..<min(start + 256, vectors.count)])
            return head.predictions(Tensor(shape: [rows.count, head.features], values: rows.flatMap { $0 }))
        }
    }

    /// Sentence embeddings of every cached text (input order), in length-sorted batches of 128.
    static func embeddings(_ model: TrainableBERT, _ cache: StateCache) -> [[Float]] {
        let order = cache.lengths.indices.sorted { (cache.lengths[$0], $0) < (cache.lengths[$1], $1) }
        var result = [[Float]](repeating: [], count: cache.lengths.count)
        for start in stride(from: 0, to: order.count, by: 128) {
            let members = Array(order[start..<min(start + 128, order.count)])
            let vectors = model.forward(states: cache.states(members), lengths: members.map { cache.lengths[$0] }).embeddings
            let h = vectors.shape[1], scalars = vectors.scalars
            for (i, member) in members.enumerated() { result[member] = Array(scalars[(i * h)..<((i + 1) * h)]) }
        }
        return result
    }

    // MARK: - Identities

    static func digest(_ examples: [LabelledText]) -> String {
        var hash = SHA256()
        for e in examples {
            hash.update(data: Data(e.text.utf8))
            hash.update(data: Data([0]))
            hash.update(data: Data(e.intent.utf8))
            hash.update(data: Data([10]))
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 of the trained values, so that the folder's identity (`ModelLocator.version`,
    /// which hashes the safetensors header) differs between fine-tuning runs.
    static func digest(_ parameters: ParameterSet) -> String {
        var hash = SHA256()
        for (name, tensor) in parameters.namedTensors() {
            hash.update(data: Data(name.utf8))
            tensor.withUnsafeBufferPointer { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// The frozen part's output for a list of texts: each text's `[length, hidden]` rows, end to end.
struct StateCache {
    let lengths: [Int]
    /// First row of each text.
    let offsets: [Int]
    let hidden: Int
    private let rows: [Float]

    /// Tokenizes like the encoder (truncation to its maximum length) and runs the frozen layers
    /// in length-sorted batches of 64.
    init(texts: [String], base: SentenceEncoder, model: TrainableBERT) throws {
        let encodings = try texts.map(base.encodeTokens)
        precondition(encodings.allSatisfy { $0.count > 0 }, "the BERT tokenizer always adds special tokens")
        lengths = encodings.map(\.count)
        var offsets = [Int](repeating: 0, count: lengths.count)
        for i in 1..<max(lengths.count, 1) { offsets[i] = offsets[i - 1] + lengths[i - 1] }
        self.offsets = offsets
        let h = model.config.hiddenSize
        hidden = h
        var rows = [Float](repeating: 0, count: lengths.reduce(0, +) * h)
        let order = encodings.indices.sorted { (encodings[$0].count, $0) < (encodings[$1].count, $1) }
        for start in stride(from: 0, to: order.count, by: 64) {
            let members = Array(order[start..<min(start + 64, order.count)])
            let batch = BERT.PackedBatch(ids: members.flatMap { encodings[$0].ids }, typeIDs: members.flatMap { encodings[$0].typeIDs },
                                         lengths: members.map { encodings[$0].count })
            let states = model.frozenStates(batch)
            states.withUnsafeBufferPointer { src in
                var row = 0
                for member in members {
                    let count = encodings[member].count * h
                    rows.withUnsafeMutableBufferPointer {
                        ($0.baseAddress! + offsets[member] * h).update(from: src.baseAddress! + row * h, count: count)
                    }
                    row += encodings[member].count
                }
            }
        }
        self.rows = rows
    }

    /// The states of `members`, packed in that order: `[Σ lengths, hidden]`.
    func states(_ members: [Int]) -> Tensor {
        let total = members.reduce(0) { $0 + lengths[$1] }
        return Tensor(shape: [total, hidden]) { out in
            rows.withUnsafeBufferPointer { src in
                var row = 0
                for m in members {
                    (out.baseAddress! + row * hidden).update(from: src.baseAddress! + offsets[m] * hidden, count: lengths[m] * hidden)
                    row += lengths[m]
                }
            }
        }
    }
}
