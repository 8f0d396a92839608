import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime
import SuiteFoundation
import Evaluation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate an intent classifier on labelled JSONL: accuracy, macro-F1, per-intent report, out-of-scope metrics, ECE.",
        discussion: """
            An escalation (out of scope or ambiguous) of an in-scope row counts as wrong for in-scope accuracy. \
            With --folds K instead of --classifier, cross-validates the training recipe (the flags of `assistant train`): \
            stratified folds of --examples, one classifier trained per fold on the others and tested on it, each fold \
            written to --out as fold-I-of-K.json; once all K are there, the mean and 95% CI of every metric and of each \
            intent's F1 (summary.json). --fold I runs one fold only, so folds can run on separate machines (a Kubernetes \
            Indexed Job or a Slurm array) that share --out; folds already written are not run again. docs/INTENTS.md.
            """)

    @Option(help: ArgumentHelp("Classifier folder.", valueName: "dir")) var classifier: String?
    @Option(help: ArgumentHelp("Labelled JSONL.", valueName: "file")) var examples: String
    @Option(name: .customLong("oos-label"), help: "The out-of-scope label.") var oosLabel = "oos"
    @Flag(name: .customLong("held-out"), help: "Evaluate only the examples `assistant train` holds out of --examples when it has no --val.")
    var heldOut = false
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Cross-validate the training recipe with this many stratified folds (2 or more).") var folds: Int?
    @Option(help: "With --folds: run only this fold (0 ..< K).") var fold: Int?
    @Option(help: ArgumentHelp("With --folds: the folder of the fold results and the summary.", valueName: "dir")) var out: String?
    @OptionGroup var recipe: IntentTrainingOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if (classifier == nil) == (folds == nil) { throw ValidationError("give exactly one of --classifier and --folds") }
        if let folds {
            if folds < 2 { throw ValidationError("--folds must be at least 2") }
            if let fold, !(0..<folds).contains(fold) { throw ValidationError("--fold must be in 0..<\(folds)") }
            if out == nil { throw ValidationError("--folds needs --out DIR for the fold results") }
            if heldOut { throw ValidationError("--held-out evaluates a trained classifier; --folds holds out each fold in turn") }
        } else if fold != nil || out != nil {
            throw ValidationError("--fold and --out go with --folds")
        }
    }

    func run() throws {
        threadOptions.apply()
        if let folds, let out {
            try CrossValidationRun(command: self, k: folds, out: URL(fileURLWithPath: out, isDirectory: true)).run()
            return
        }
        guard let classifier else { return }  // validate() asks for --classifier or --folds
        let headFolder = URL(fileURLWithPath: classifier)
        let head = try IntentClassifier.load(folder: headFolder)
        var data = try LabelledTextFile.load(examples)
        if heldOut { data = HeldOutSplit(data).validation }
        let folder = try head.encoderFolder(classifierFolder: headFolder) { try modelOptions.modelFolder() }
        let evaluation: IntentEvaluation
        do {
            evaluation = try IntentEvaluation(classifier: head, encoder: SentenceEncoder(folder: folder), examples: data,
                                              outOfScopeLabel: oosLabel)
        } catch ClassifierError.invalidExamples(let detail) {
            throw ValidationError("\(examples): \(detail)")
        }
        if json {
            let encoder = JSONOutput.encoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
        } else {
            print(evaluation.report.renderTable())
        }
    }
}
