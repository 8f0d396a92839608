import ArgumentParser
import AssistantCore

/// The recipe flags of `assistant train`, shared with `assistant eval --folds` (which trains one
/// model per fold with the same recipe).
struct IntentTrainingOptions: ParsableArguments {
    @Option(name: .customLong("min-oos-recall"),
            help: "Out-of-scope recall the thresholds must reach on validation rows labelled --oos-label (0...1).")
    var minOOSRecall = IntentTrainer.Options().requiredOutOfScopeRecall
    @Option(name: .customLong("fine-tune-layers"), help: "Fine-tune the encoder's top K layers first (0: frozen encoder).")
    var fineTuneLayers = 0
    @Option(help: "Fine-tuning epochs.") var epochs = FineTuneSettings.standard.epochs
    @Option(name: .customLong("batch-size"), help: "Fine-tuning sentences per step.") var batchSize = FineTuneSettings.standard.batchSize
    @Option(name: .customLong("learning-rate"), help: "AdamW peak learning rate of the encoder layers.")
    var learningRate = FineTuneSettings.standard.encoderLearningRate
    @Option(name: .customLong("head-learning-rate"), help: "AdamW peak learning rate of the fine-tuning head.")
    var headLearningRate = FineTuneSettings.standard.headLearningRate
    @Option(help: "Fine-tuning hidden dropout.") var dropout = FineTuneSettings.standard.dropout
    @Flag(name: .customLong("no-linear-probe"), help: "Start the fine-tuning head at zero, not from a logistic regression.")
    var noLinearProbe = false
    @Option(help: "Seed of the fine-tuning shuffles and dropout.") var seed = FineTuneSettings.standard.seed

    func validate() throws {
        if fineTuneLayers < 0 { throw ValidationError("--fine-tune-layers must not be negative") }
        if !(0...1).contains(minOOSRecall) { throw ValidationError("--min-oos-recall must be in 0...1") }
    }

    /// The fine-tuning settings, nil for a frozen encoder.
    var fineTuning: FineTuneSettings? {
        guard fineTuneLayers > 0 else { return nil }
        var settings = FineTuneSettings.standard
        settings.trainableLayers = fineTuneLayers
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.encoderLearningRate = learningRate
        settings.headLearningRate = headLearningRate
        settings.dropout = dropout
        settings.linearProbe = !noLinearProbe
        settings.seed = seed
        return settings
    }

    /// The head's options with the data's out-of-scope label.
    func headOptions(outOfScopeLabel: String) -> IntentTrainer.Options {
        var options = IntentTrainer.Options()
        options.outOfScopeLabel = outOfScopeLabel
        options.requiredOutOfScopeRecall = minOOSRecall
        return options
    }
}
