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
        discussion: "An escalation (out of scope or ambiguous) of an in-scope row counts as wrong for in-scope accuracy.")

    @Option(help: ArgumentHelp("Classifier folder.", valueName: "dir")) var classifier: String
    @Option(help: ArgumentHelp("Labelled JSONL.", valueName: "file")) var examples: String
    @Option(name: .customLong("oos-label"), help: "The out-of-scope label.") var oosLabel = "oos"
    @Flag(name: .customLong("held-out"), help: "Evaluate only the examples `assistant train` holds out of --examples when it has no --val.")
    var heldOut = false
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        threadOptions.apply()
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
