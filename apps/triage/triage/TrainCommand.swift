import ArgumentParser
import CommandLineSupport
import Foundation
import ModelRuntime
import TriageCore
import Imaging

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the triage CNN on a labels CSV; writes model.json, weights.safetensors and MODEL_CARD.md.",
        discussion: """
            --labels and --val-labels are CSV files `file,label` (header row; paths relative to the CSV; labels \
            normal or pneumonia). Both are checked completely before training starts. The epoch with the best \
            validation AUC is kept, a temperature is calibrated and the thresholds are chosen on validation \
            (docs/TRIAGE-MODEL.md). A checkpoint is written to --out after every epoch: running the same \
            command again after an interruption resumes from it.
            """)

    @Option(help: ArgumentHelp("Training labels CSV.", valueName: "file")) var labels: String
    @Option(name: .customLong("val-labels"), help: ArgumentHelp("Validation labels CSV.", valueName: "file"))
    var valLabels: String
    @Option(help: ArgumentHelp("Output model folder.", valueName: "dir")) var out: String
    @OptionGroup var recipe: TriageTrainingOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        threadOptions.apply()
        let settings = try recipe.settings()
        let command = (["triage"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let options = TriageTrainer.Options(settings: settings, command: command)
        let train = try LabelledImages(csv: labels, labels: options.labels)
        let validation = try LabelledImages(csv: valLabels, labels: options.labels)
        let started = Date()
        let printer = TrainingProgressPrinter(metricName: "validation AUC", folder: out) { String(format: "%.4f", $0) }
        let spec = try TriageTrainer(options: options).run(train: train, validation: validation,
                                                            output: URL(fileURLWithPath: out)) { event in
            switch event {
            case .loaded(let n, let v):
                printError("training on \(n) images, validating on \(v); \(ComputeThreads.current) thread(s), OpenBLAS \(ComputeThreads.blasCore)")
            case .training(let event):
                printer(event)
            case .finished:
                break
            }
        }
        let v = spec.validation!
        print(String(format: "trained in %.0f s: validation AUC %.4f, accuracy %.1f%%, sensitivity %.1f%%, specificity %.1f%% at threshold %.3f → ",
                     Date().timeIntervalSince(started), v.auc, 100 * v.accuracy, 100 * v.sensitivity, 100 * v.specificity,
                     spec.threshold) + out)
        if let figures = spec.inputGate?.figures { print(figures.text) }
    }
}
