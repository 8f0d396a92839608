import ArgumentParser
import Foundation
import Imaging
import ModelRuntime
import CommandLineSupport
import TriageCore

/// The recipe flags of `triage train`, shared with `triage eval --folds` (which trains one model
/// per fold with the same recipe).
struct TriageTrainingOptions: ParsableArguments {
    @Option(help: "Epochs.") var epochs = TrainingSettings.standard.epochs
    @Option(help: "Seed of the weights, shuffles and augmentations.") var seed = TrainingSettings.standard.seed
    @Option(name: .customLong("batch-size"), help: "Images per step.") var batchSize = TrainingSettings.standard.batchSize
    @Option(name: .customLong("learning-rate"), help: "AdamW peak learning rate.")
    var learningRate = TrainingSettings.standard.learningRate
    @Option(help: ArgumentHelp("Stage widths, comma-separated.", valueName: "w,w,...")) var widths = "32,64,128"
    @Option(help: ArgumentHelp("Blocks per stage, comma-separated.", valueName: "d,d,...")) var depths = "2,2,2"
    @Flag(name: .customLong("no-augment"), help: "Train without augmentation.") var noAugment = false

    func validate() throws {
        _ = try settings()
    }

    /// The checked training settings.
    func settings() throws -> TrainingSettings {
        var settings = TrainingSettings.standard
        settings.epochs = epochs
        settings.warmupEpochs = min(settings.warmupEpochs, epochs - 1)
        settings.seed = seed
        settings.batchSize = batchSize
        settings.learningRate = learningRate
        settings.widths = try Self.integers(widths, "widths")
        settings.depths = try Self.integers(depths, "depths")
        if noAugment { settings.augmentation = .none }
        do { try settings.validate() } catch let error as TrainingError { throw ValidationError(error.description) }
        return settings
    }

    static func integers(_ text: String, _ option: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--\(option): expected positive integers separated by commas, got '\(text)'")
        }
        return values.map { $0! }
    }
}
