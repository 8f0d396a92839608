import ArgumentParser
import AssistantCore
import CommandLineSupport
import Evaluation
import Foundation
import ModelRuntime

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
        let known = Set(head.labels + [oosLabel])
        if let unknown = data.first(where: { !known.contains($0.intent) }) {
            throw ValidationError("\(examples): intent '\(unknown.intent)' is not one the classifier knows")
        }
        let folder = try head.encoderFolder(classifierFolder: headFolder) { try modelOptions.modelFolder() }
        let vectors = try SentenceEncoder(folder: folder).embed(data.map(\.text))
        let classes = head.labels.contains(oosLabel) ? head.labels : head.labels + [oosLabel]
        var predicted: [String] = [], probabilities: [Double] = []
        for vector in vectors {
            let p = head.predict(vector)
            predicted.append(p.verdict == .inScope ? p.ranking[0].label : oosLabel)
            let byLabel = Dictionary(uniqueKeysWithValues: p.ranking.map { ($0.label, $0.probability) })
            probabilities += classes.map { byLabel[$0] ?? 0 }
        }
        let metrics = try MulticlassMetrics(classes: classes, truth: data.map(\.intent), predicted: predicted)
        let hasOOS = data.contains { $0.intent == oosLabel }
        let report = try MulticlassReport(metrics, probabilities: ClassProbabilities(classes: classes, truth: data.map(\.intent),
                                                                                     probabilities: probabilities),
                                          outOfScopeLabel: hasOOS ? oosLabel : nil)
        let inScope = try hasOOS ? metrics.outOfScope(label: oosLabel).inScopeAccuracy.value : metrics.accuracy.value
        if json {
            let summary = EvalSummary(n: data.count, accuracy: metrics.accuracy.value, macroF1: metrics.macroF1,
                                      inScopeAccuracy: inScope,
                                      oosRecall: hasOOS ? try metrics.outOfScope(label: oosLabel).outOfScopeRecall.value : nil,
                                      ece: report.calibration?.expectedCalibrationError, report: report)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(report.renderTable())
        }
    }
}

/// `assistant eval --json`: the headline keys first-class, the full report beside them.
private struct EvalSummary: Encodable {
    let n: Int
    let accuracy: Double
    let macroF1: Double
    let inScopeAccuracy: Double
    let oosRecall: Double?
    let ece: Double?
    let report: MulticlassReport
}
