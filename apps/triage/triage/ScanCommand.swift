import ArgumentParser
import CommandLineSupport
import Foundation
import SuiteFoundation
import TriageCore
import AuditLog
import RecordStore

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Score chest radiographs: finding probability, decision at the model's threshold, urgency.",
        discussion: """
            One line (or, with --json, one JSON object) per file. Files outside the model's scope get a \
            NOT ASSESSABLE verdict with a reason: unsupported_photometry, not_radiograph, lateral_view (when \
            DICOM says so), out_of_distribution (the input gate: an image no chest radiograph looks like, e.g. \
            blank, noise, a text page, too small; docs/TRIAGE-MODEL.md) or unreadable. With --heatmap-dir, the class activation map of each decision is \
            written there as <name>-<hash>.heatmap.png at the image's size. Each verdict is recorded in the \
            audit trail of the store in --home when its keys are there. Exit status: 0 every file was read \
            (not-assessable verdicts included), 1 none, 3 some were unreadable.
            """)

    @OptionGroup var model: TriageModelOptions
    @Flag(help: "One JSON object per line.") var json = false
    @Option(name: .customLong("heatmap-dir"), help: ArgumentHelp("Write a heatmap per scored file here.", valueName: "dir"))
    var heatmapDirectory: String?
    @Flag(help: "Blend the heatmaps over the image instead of the colour map alone.") var overlay = false
    @OptionGroup var store: StoreOptions
    @Argument(help: "PNG, JPEG or DICOM files.") var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    func run() throws {
        let audit = optionalAuditStore(store)
        let model = try model.load(registry: audit)
        if let heatmapDirectory {
            try FileManager.default.createDirectory(atPath: heatmapDirectory, withIntermediateDirectories: true)
        }
        var unreadable = 0
        for file in files {
            let assessment = ImageAssessment.assess(URL(fileURLWithPath: file), label: file, model: model,
                                                    fullResolution: heatmapDirectory != nil)
            try audit?.secure.audit.append(assessment.auditEvent(model: model, actor: commandActor))
            var record = ScanRecord(assessment, model: model)
            if assessment.isUnreadable { unreadable += 1 }
            if let heatmapDirectory, let sha256 = assessment.sha256 {
                let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                let out = URL(fileURLWithPath: (heatmapDirectory as NSString).appendingPathComponent("\(stem)-\(sha256.prefix(8)).heatmap.png"))
                do {
                    if let png = try assessment.heatmap(model: model, overlay: overlay) {
                        try png.write(to: out, options: .atomic)
                        record.heatmap = out.relativePath
                    }
                } catch {
                    unreadable += 1
                    printError("triage: error: \(out.path): cannot write the heatmap: \(error.localizedDescription)")
                }
            }
            print(json ? try JSONOutput.string(record) : record.text)
        }
        if unreadable == files.count { throw ExitStatus.failure }
        if unreadable > 0 { throw ExitStatus.partial }
    }
}

