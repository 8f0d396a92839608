import ArgumentParser
import CommandLineSupport
import Foundation
import SuiteFoundation
import TriageCore

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a triage model on a labels CSV: AUC, accuracy, sensitivity/specificity at its threshold, F1, ECE, Brier.",
        discussion: """
            --labels is a CSV `file,label` (header row; paths relative to the CSV). --json prints one object with \
            the keys auc, accuracy, sensitivity, specificity, ece, n (and intervals, F1, Brier, confusion). \
            --write-card stores the figures as the model's validation figures and regenerates MODEL_CARD.md.
            """)

    @OptionGroup var modelOptions: TriageModelOptions
    @Option(help: ArgumentHelp("Labels CSV.", valueName: "file")) var labels: String
    @Flag(help: "One JSON object.") var json = false
    @Flag(name: .customLong("write-card"), help: "Store these figures in model.json and rewrite MODEL_CARD.md.")
    var writeCard = false
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        threadOptions.apply()
        let folder = try modelOptions.folder()
        let triageModel = try TriageModel.load(directory: folder)
        let data = try LabelledImages(csv: labels, labels: triageModel.spec.labels)
        let report = try TriageEvaluator(model: triageModel).evaluate(data)
        if json {
            print(try JSONOutput.string(report))
        } else {
            print("model \(triageModel.id)")
            print(report.text)
        }
        if writeCard {
            var spec = triageModel.spec
            spec.validation = report
            try ModelFolderWriter.rewriteCard(spec: spec, in: folder)
            printError("wrote \(folder.appendingPathComponent(TriageModel.cardFile).path)")
        }
    }
}
