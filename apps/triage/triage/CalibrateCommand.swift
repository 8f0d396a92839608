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
            weights are not changed. Use it to calibrate to a site's own labelled data. With --gate-labels \
            (the training labels CSV), the learned input gate is refitted too: the feature and layout means and \
            covariances and the framing regression on those images, their thresholds on --val-labels, and its \
            figures on the validation images and the \
            generated non-radiograph set (docs/TRIAGE-MODEL.md, "Input gate"); without it, the model's gate is kept.
            """)

    @Option(help: ArgumentHelp("Model folder.", valueName: "dir")) var model: String
    @Option(name: .customLong("val-labels"), help: ArgumentHelp("Validation labels CSV.", valueName: "file"))
    var valLabels: String
    @Option(name: .customLong("gate-labels"), help: ArgumentHelp("Training labels CSV: refit the input gate on it.", valueName: "file"))
    var gateLabels: String?
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        threadOptions.apply()
        let folder = URL(fileURLWithPath: model)
        let triageModel = try TriageModel.load(directory: folder)
        let data = try LabelledImages(csv: valLabels, labels: triageModel.spec.labels)
        var spec = try TriageEvaluator(model: triageModel).calibrated(on: data)
        if let gateLabels {
            let train = try LabelledImages(csv: gateLabels, labels: spec.labels)
            spec = try GateFitting(model: TriageModel(spec: spec, network: triageModel.network, id: triageModel.id))
                .fitted(train: train, validation: data)
        }
        try ModelFolderWriter.rewriteCard(spec: spec, in: folder)
        let v = spec.validation!
        print(String(format: "temperature %.4f, threshold %.4f, urgent from %.4f: validation accuracy %.1f%%, sensitivity %.1f%%, specificity %.1f%%, ECE %.4f → ",
                     spec.temperature, spec.threshold, spec.urgency.urgent, 100 * v.accuracy, 100 * v.sensitivity,
                     100 * v.specificity, v.ece) + model)
        if let figures = spec.inputGate?.figures { print(figures.text) }
    }
}
