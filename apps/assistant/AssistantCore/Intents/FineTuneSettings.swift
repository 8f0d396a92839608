import Foundation
import ModelRuntime

/// Everything that decides an encoder fine-tuning run besides the data (docs/INTENTS.md);
/// stored in the model card and in checkpoints (a resume refuses different settings).
public struct FineTuneSettings: Codable, Sendable, Equatable {
    /// The top encoder layers trained (1 ... the encoder's layer count); the embeddings and the
    /// layers below stay frozen.
    public var trainableLayers: Int
    public var epochs: Int
    /// Sentences per optimiser step.
    public var batchSize: Int
    /// AdamW peak learning rate of the encoder layers.
    public var encoderLearningRate: Float
    /// AdamW peak learning rate of the linear classification head.
    public var headLearningRate: Float
    /// Share of the steps spent on linear warm-up, before cosine decay to 0.
    package var warmupFraction: Float
    /// AdamW decoupled weight decay (dense weights only; not the head).
    public var weightDecay: Float
    /// Gradient-norm clipping of the encoder layers and of the head (each its own norm).
    package var maxGradientNorm: Float
    /// BERT's hidden dropout in the trained layers (after the attention-output and output dense layers).
    public var dropout: Float
    /// Start the head from a logistic regression on the base encoder's embeddings (`IntentTrainer`)
    /// instead of zeros: linear probing, then fine-tuning (LP-FT, Kumar et al. 2022).
    public var linearProbe: Bool
    public var seed: UInt64

    enum CodingKeys: String, CodingKey {
        case trainableLayers = "trainable_layers", epochs, batchSize = "batch_size"
        case encoderLearningRate = "encoder_learning_rate", headLearningRate = "head_learning_rate"
        case warmupFraction = "warmup_fraction", weightDecay = "weight_decay"
        case maxGradientNorm = "max_gradient_norm", dropout, linearProbe = "linear_probe", seed
    }

    /// The recipe behind the figures in docs/INTENTS.md.
    public static let standard = FineTuneSettings(
        trainableLayers: 6, epochs: 4, batchSize: 32, encoderLearningRate: 5e-5, headLearningRate: 5e-3,
        warmupFraction: 0.1, weightDecay: 0.01, maxGradientNorm: 1, dropout: 0.1, linearProbe: true, seed: 1)

    public init(trainableLayers: Int, epochs: Int, batchSize: Int, encoderLearningRate: Float, headLearningRate: Float,
                warmupFraction: Float, weightDecay: Float, maxGradientNorm: Float, dropout: Float, linearProbe: Bool, seed: UInt64) {
        self.trainableLayers = trainableLayers
        self.epochs = epochs
        self.batchSize = batchSize
        self.encoderLearningRate = encoderLearningRate
        self.headLearningRate = headLearningRate
        self.warmupFraction = warmupFraction
        self.weightDecay = weightDecay
        self.maxGradientNorm = maxGradientNorm
        self.dropout = dropout
        self.linearProbe = linearProbe
        self.seed = seed
    }

    /// Argument errors, named by option.
    /// - Parameter layers: the encoder's layer count.
    public func validate(layers: Int) throws {
        func bad(_ option: String, _ detail: String) -> TrainingError { .invalidSetting(option: option, detail: detail) }
        guard (1...layers).contains(trainableLayers) else { throw bad("fine-tune-layers", "must be in 1...\(layers)") }
        guard epochs > 0 else { throw bad("epochs", "must be positive") }
        guard batchSize >= 1 else { throw bad("batch-size", "must be positive") }
        for (option, lr) in [("learning-rate", encoderLearningRate), ("head-learning-rate", headLearningRate)] {
            guard lr > 0, lr.isFinite else { throw bad(option, "must be positive") }
        }
        guard warmupFraction >= 0, warmupFraction < 1 else { throw bad("warmup", "must be in [0, 1)") }
        guard weightDecay >= 0, maxGradientNorm > 0 else { throw bad("weight-decay", "must not be negative") }
        guard dropout >= 0, dropout < 1 else { throw bad("dropout", "must be in [0, 1)") }
    }
}
