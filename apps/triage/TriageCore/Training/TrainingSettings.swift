import Foundation
public import Imaging
public import ModelRuntime
public import SuiteFoundation

/// Everything that decides a training run besides the data; stored in `model.json`'s
/// provenance and in checkpoints (a resume refuses different settings). Errors are
/// `TrainingError.invalidSetting`, named by the command-line option.
public struct TrainingSettings: Codable, Sendable, Equatable {
    public var epochs: Int
    /// Images per optimiser step.
    public var batchSize: Int
    /// AdamW peak learning rate, reached after `warmupEpochs` of linear warm-up, then cosine to 0.
    public var learningRate: Float
    public var warmupEpochs: Int
    /// AdamW decoupled weight decay (convolution and linear weights only).
    public var weightDecay: Float
    public var seed: UInt64
    /// The ResNet: basic blocks, small stem (3×3, no pooling) for 28×28 inputs.
    public var widths: [Int]
    public var depths: [Int]
    public var augmentation: RadiographAugmentation
    var classWeighting: ClassWeighting

    /// Cross-entropy class weights.
    public enum ClassWeighting: String, Sendable, StrictStringEnum {
        /// Every image weighs 1.
        case none
        /// Inverse class frequency, mean 1.
        case balanced
    }

    enum CodingKeys: String, CodingKey {
        case epochs
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case warmupEpochs = "warmup_epochs"
        case weightDecay = "weight_decay"
        case seed, widths, depths, augmentation
        case classWeighting = "class_weighting"
    }

    /// The recipe of the shipped model (docs/TRIAGE-MODEL.md).
    public static let standard = TrainingSettings(
        epochs: 12, batchSize: 64, learningRate: 2e-3, warmupEpochs: 1, weightDecay: 0.05, seed: 1,
        widths: [32, 64, 128], depths: [2, 2, 2], augmentation: .light, classWeighting: .balanced)

    public init(epochs: Int, batchSize: Int, learningRate: Float, warmupEpochs: Int, weightDecay: Float, seed: UInt64,
                widths: [Int], depths: [Int], augmentation: RadiographAugmentation, classWeighting: ClassWeighting) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupEpochs = warmupEpochs
        self.weightDecay = weightDecay
        self.seed = seed
        self.widths = widths
        self.depths = depths
        self.augmentation = augmentation
        self.classWeighting = classWeighting
    }

    /// Argument errors, named by option.
    public func validate() throws {
        func bad(_ option: String, _ detail: String) -> TrainingError { .invalidSetting(option: option, detail: detail) }
        guard epochs > 0 else { throw bad("epochs", "must be positive") }
        guard batchSize >= 2 else { throw bad("batch-size", "must be at least 2 (batch norm needs two images)") }
        guard learningRate > 0, learningRate.isFinite else { throw bad("learning-rate", "must be positive") }
        guard warmupEpochs >= 0, warmupEpochs < epochs else { throw bad("warmup-epochs", "must be in 0..<epochs") }
        guard weightDecay >= 0 else { throw bad("weight-decay", "must not be negative") }
        guard !widths.isEmpty, widths.count == depths.count, widths.allSatisfy({ $0 > 0 }), depths.allSatisfy({ $0 > 0 })
        else { throw bad("widths/depths", "one positive depth per positive width") }
    }

    /// The network these settings train.
    public func architecture(classes: Int) -> ResNet.Config {
        ResNet.Config(block: .basic, stem: .small, widths: widths, depths: depths, inputChannels: 1, classes: classes)
    }
}
