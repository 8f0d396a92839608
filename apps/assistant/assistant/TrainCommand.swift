import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the intent classifier (optionally fine-tuning the encoder); writes classifier.json and MODEL_CARD.md.",
        discussion: """
            Examples come from --examples (JSONL {"text","intent"}) or from a knowledge base (--kb: titles and example \
            questions labelled with each article's first intent). Without --val, every 7th example of each intent \
            is held out for validation (`assistant eval --held-out` evaluates the same examples). \
            With --fine-tune-layers K, the encoder's top K layers are first fine-tuned with a linear head \
            (cross-entropy, AdamW; the epoch with the best validation accuracy is kept) and written to DIR/encoder/, \
            which `ask`, `batch`, `serve` and `eval` then use for this classifier. A checkpoint is written to --out \
            after every epoch: running the same command again after an interruption resumes from it. \
            Recipe and measured figures: docs/INTENTS.md.
            """)

    @Option(help: ArgumentHelp("Labelled JSONL.", valueName: "file")) var examples: String?
    @Option(help: ArgumentHelp("Derive examples from this knowledge base instead.", valueName: "file")) var kb: String?
    @Option(help: ArgumentHelp("Validation JSONL.", valueName: "file")) var val: String?
    @Option(help: ArgumentHelp("Output folder.", valueName: "dir")) var out: String
    @Option(name: .customLong("oos-label"), help: "The out-of-scope label in the data.") var oosLabel = "oos"
    @OptionGroup var recipe: IntentTrainingOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if (examples == nil) == (kb == nil) { throw ValidationError("give exactly one of --examples and --kb") }
    }

    func run() throws {
        threadOptions.apply()
        let request = IntentTrainingPipeline.Request(
            train: try examples.map(LabelledTextFile.load) ?? LabelledTextFile.examples(from: KnowledgeBaseFile.load(kb!)),
            validation: try val.map(LabelledTextFile.load), encoderFolder: try modelOptions.modelFolder(),
            output: URL(fileURLWithPath: out), options: recipe.headOptions(outOfScopeLabel: oosLabel), fineTuning: recipe.fineTuning,
            trainingSource: examples ?? kb!,
            validationSource: val, command: (["assistant"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        let started = Date()
        let outcome: IntentTrainingPipeline.Outcome
        do {
            let printer = TrainingProgressPrinter(metricName: "validation accuracy", folder: out, stepInterval: 10) {
                String(format: "%.2f%%", $0 * 100)
            }
            outcome = try IntentTrainingPipeline(request).run { report($0, printer) }
        } catch TrainingError.invalidSetting(let option, let detail) {
            throw ValidationError("--\(option): \(detail)")
        }
        let (classifier, r) = (outcome.classifier, outcome.report)
        print(String(format: "trained %d intents in %.0f s: validation accuracy %.1f%%, in-scope accuracy %.1f%%%@ → %@",
                     classifier.labels.count, Date().timeIntervalSince(started), r.validationAccuracy * 100,
                     r.validationInScopeAccuracy * 100,
                     r.validationOutOfScopeRecall.map { String(format: ", OOS recall %.1f%%", $0 * 100) } ?? "", out))
    }

    /// Fine-tuning progress on standard error: a step counter on a terminal, one line per epoch.
    private func report(_ event: IntentTrainingPipeline.Event, _ printer: TrainingProgressPrinter) {
        switch event {
        case .embedding(let train, let validation):
            printError("embedding \(train) training and \(validation) validation examples")
        case .fineTuning(let event):
            report(event, printer)
        }
    }

    private func report(_ event: EncoderFineTuner.Event, _ printer: TrainingProgressPrinter) {
        switch event {
        case .prepared(let n, let v, let tokens, let seconds):
            printError(String(format: "fine-tuning on %d examples, validating on %d (%d tokens, frozen layers run in %.0f s); ",
                              n, v, tokens, seconds)
                       + "\(ComputeThreads.current) thread(s), OpenBLAS \(ComputeThreads.blasCore)")
        case .probed(let accuracy, let seconds):
            printError(String(format: "linear probe on the base embeddings: validation accuracy %.2f%% (%.0f s)", accuracy * 100, seconds))
        case .training(let event):
            printer(event)
        }
    }
}
