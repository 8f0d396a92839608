import Foundation

/// How a shipped model was made, stored in `model.json` so that the model card and a
/// reviewer can reproduce it.
public struct Provenance: Codable, Sendable, Equatable {
    /// The labels file, as given, with its SHA-256 and class counts.
    public struct DataSummary: Codable, Sendable, Equatable {
        public var path: String
        var sha256: String
        public var images: Int
        package var counts: [String: Int]

        public init(path: String, sha256: String, images: Int, counts: [String: Int]) {
            self.path = path
            self.sha256 = sha256
            self.images = images
            self.counts = counts
        }
    }

    /// The command line that produced the model.
    var command: String
    public var train: DataSummary
    public var validation: DataSummary
    var settings: TrainingSettings
    /// The epoch (1-based) whose weights were kept: the best validation AUC.
    var selectedEpoch: Int
    /// Validation AUC after each epoch, in order.
    package var validationAUCByEpoch: [Double]
    var trainableParameters: Int
    var trainingSeconds: Double
    /// UTC, ISO 8601.
    var finishedAt: String
    /// BLAS threads and kernel family used.
    var threads: Int
    var blasCore: String

    enum CodingKeys: String, CodingKey {
        case command, train, validation, settings
        case selectedEpoch = "selected_epoch"
        case validationAUCByEpoch = "validation_auc_by_epoch"
        case trainableParameters = "trainable_parameters"
        case trainingSeconds = "training_seconds"
        case finishedAt = "finished_at"
        case threads
        case blasCore = "blas_core"
    }
}
