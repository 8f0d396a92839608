public import Foundation
import ModelRuntime

/// `assistant train` end to end: embeds the examples with the sentence encoder (fine-tuning its
/// top layers first when asked), fits the calibrated intent head with its out-of-scope
/// thresholds, and writes `classifier.json`, `MODEL_CARD.md` and, after fine-tuning, `encoder/`.
public struct IntentTrainingPipeline {
    public struct Request {
        public var train: [LabelledText]
        /// Validation examples; nil holds every 7th example of each intent out of `train` (`HeldOutSplit`).
        public var validation: [LabelledText]?
        /// The base sentence-transformers folder.
        public var encoderFolder: URL
        public var output: URL
        public var options: IntentTrainer.Options
        /// Fine-tune the encoder first with these settings (nil: frozen encoder).
        public var fineTuning: FineTuneSettings?
        /// For the model card: where the examples came from and the command line.
        var trainingSource: String
        var validationSource: String?
        public var command: String

        public init(train: [LabelledText], validation: [LabelledText]?, encoderFolder: URL, output: URL,
                    options: IntentTrainer.Options, fineTuning: FineTuneSettings?, trainingSource: String,
                    validationSource: String?, command: String) {
            self.train = train
            self.validation = validation
            self.encoderFolder = encoderFolder
            self.output = output
            self.options = options
            self.fineTuning = fineTuning
            self.trainingSource = trainingSource
            self.validationSource = validationSource
            self.command = command
        }
    }

    /// What the pipeline reports as it goes.
    public enum Event: Sendable {
        /// The frozen encoder embeds the examples.
        case embedding(train: Int, validation: Int)
        case fineTuning(EncoderFineTuner.Event)
    }

    public struct Outcome: Sendable {
        public var classifier: IntentClassifier
        public var report: IntentTrainer.Report
        public var fineTuning: EncoderFineTuner.Report?
    }

    let request: Request
    public init(_ request: Request) { self.request = request }

    /// - Throws: `TrainingError.invalidSetting` for fine-tuning settings that do not fit the
    ///   encoder, `ClassifierError`, file errors naming the file.
    public func run(progress: (Event) throws -> Void = { _ in }) throws -> Outcome {
        let r = request
        var train = r.train, validation: [LabelledText]
        if let given = r.validation {
            validation = given
        } else {
            let split = HeldOutSplit(train)
            (train, validation) = (split.train, split.validation)
        }
        let encoder = try SentenceEncoder(folder: r.encoderFolder)
        var options = r.options
        let trainVectors: [[Float]], validationVectors: [[Float]]
        var encoderFolder = r.encoderFolder
        var fineTuning: EncoderFineTuner.Report?
        if let settings = r.fineTuning {
            try settings.validate(layers: encoder.model.config.numHiddenLayers)
            let result = try EncoderFineTuner(settings: settings).run(
                train: train, validation: validation, base: encoder, baseFolder: r.encoderFolder, output: r.output,
                progress: { try progress(.fineTuning($0)) })
            (trainVectors, validationVectors) = (result.trainEmbeddings, result.validationEmbeddings)
            encoderFolder = result.encoderFolder
            fineTuning = result.report
            options.fixedHead = (result.headWeights, result.headBias)
        } else {
            try progress(.embedding(train: train.count, validation: validation.count))
            trainVectors = try encoder.embed(train.map(\.text))
            validationVectors = try encoder.embed(validation.map(\.text))
        }
        var (classifier, report) = try IntentTrainer.train(
            train: Array(zip(trainVectors, train.map(\.intent))),
            validation: Array(zip(validationVectors, validation.map(\.intent))),
            embeddingModel: ModelLocator.version(of: encoderFolder), options: options)
        if fineTuning != nil { classifier.encoder = EncoderFineTuner.encoderFolderName }
        try classifier.write(folder: r.output)
        try IntentModelCard.write(classifier, report: report, fineTuning: fineTuning, trainingSource: r.trainingSource,
                                  validationSource: r.validationSource ?? "held out of the training examples (every 7th per intent)",
                                  command: r.command, to: r.output)
        return Outcome(classifier: classifier, report: report, fineTuning: fineTuning)
    }
}
