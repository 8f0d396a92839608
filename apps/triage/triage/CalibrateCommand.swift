import ArgumentParser
import CommandLineSupport
import Foundation
import TriageCore

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Recalibrate a triage model on a labelled validation set: logit offsets, temperature, thresholds.",
        discussion: """
            Runs the last step of `triage train` on an existing model: the class-weighting offsets from its \
            training data, a temperature fitted on --val-labels, the operating and urgency thresholds chosen on \
            it (docs/TRIAGE-MODEL.md), and the validation figures; rewrites model.json and MODEL_CARD.md. The \
            weights are not changed. Use it to calibrate to a site's own labelled data.
            """)

    @Option(help: ArgumentHelp("Model folder.", valueName: "dir")) var model: String
    @Option(name: .customLong("val-labels"), help: ArgumentHelp("Validation labels CSV.", valueName: "file"))
    var valLabels: String
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        threadOptions.apply()
        let folder = URL(fileURLWithPath: model)
        let triageModel = try TriageModel.load(directory: folder)
        let data = try LabelledImages(csv: valLabels, labels: triageModel.spec.labels)
        let spec = try TriageEvaluator(model: triageModel).calibrated(on: data)
        try ModelFolderWriter.rewriteCard(spec: spec, in: folder)
        let v = spec.validation!
        print(String(format: "temperature %.4f, threshold %.4f, urgent from %.4f: validation accuracy %.1f%%, sensitivity %.1f%%, specificity %.1f%%, ECE %.4f → ",
                     spec.temperature, spec.threshold, spec.urgency.urgent, 100 * v.accuracy, 100 * v.sensitivity,
                     100 * v.specificity, v.ece) + model)
    }
}
