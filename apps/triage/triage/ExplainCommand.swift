import ArgumentParser
import CommandLineSupport
import Foundation
import SuiteFoundation
import TriageCore
import AuditLog
import RecordStore

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Write the heatmap of a decision and measure how faithful it is.",
        discussion: """
            The heatmap is the class activation map of the decision, upsampled (bilinear) to the image's \
            size and colour-mapped with viridis (dark purple = not salient, yellow = most salient); with \
            --overlay it is blended over the windowed image. Faithfulness: the --top-percent most salient \
            pixels of the model input are set to its mean and the image is scored again; the drop in the \
            confidence of the decision is printed beside the drop for as many random pixels.
            """)

    @OptionGroup var model: TriageModelOptions
    @Argument(help: "A PNG, JPEG or DICOM file.") var file: String
    @Option(help: ArgumentHelp("Heatmap PNG to write.", valueName: "file")) var out: String
    @Flag(help: "Blend the heatmap over the image.") var overlay = false
    @Option(name: .customLong("top-percent"), help: "Share of pixels masked for the faithfulness figure, in percent.")
    var topPercent: Double = 10
    @Flag(help: "One JSON object.") var json = false
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if !(topPercent > 0 && topPercent <= 100) { throw ValidationError("--top-percent must be in (0, 100]") }
        if !out.lowercased().hasSuffix(".png") { throw ValidationError("--out must be a .png file") }
    }

    func run() throws {
        let model = try model.load()
        let audit = optionalAuditStore(store)
        let assessment = ImageAssessment.assess(URL(fileURLWithPath: file), label: file, model: model, fullResolution: true)
        try audit?.secure.audit.append(assessment.auditEvent(model: model, actor: commandActor))
        var record = ScanRecord(assessment, model: model)
        guard case .scored(let prediction) = assessment.verdict, let input = assessment.input,
              let png = try assessment.heatmap(model: model, overlay: overlay) else {
            print(json ? try JSONOutput.string(record) : record.text)
            throw ExitStatus.failure  // nothing to explain
        }
        do { try png.write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
            printError("triage: error: \(out): cannot write the heatmap: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        record.heatmap = out
        record.faithfulness = Faithfulness.measure(model: model, input: input, prediction: prediction, topFraction: topPercent / 100)
        print(json ? try JSONOutput.string(record) : record.text)
    }
}
