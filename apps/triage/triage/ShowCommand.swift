import ArgumentParser
import CommandLineSupport
import Foundation
import SuiteFoundation
import TriageCore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one study: verdict, scores, model, read state; optionally its image, heatmap and identity.",
        discussion: """
            ID is the study id or a unique prefix (at least 4 characters). --image and --heatmap write the \
            stored thumbnail and the heatmap over it as PNG files (mode 0600); --show-phi decrypts the \
            patient's identity, the source path and the reader's note. Every use is recorded in the audit \
            trail (a `record.read` with --show-phi, a `query` without). Exit 1 when the study's integrity check fails.
            """)

    @Argument(help: "Study id or a unique prefix.") var id: String
    @Flag(name: .customLong("show-phi"), help: "Also show the identity (name, patient ID, birth date, accession, source path) and the note.")
    var showPHI = false
    @Option(help: ArgumentHelp("Write the thumbnail (8-bit gray PNG) here.", valueName: "png")) var image: String?
    @Option(help: ArgumentHelp("Write the heatmap over the thumbnail (RGB PNG) here.", valueName: "png")) var heatmap: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var model: TriageModelOptions
    @OptionGroup var store: StoreOptions

    func run() throws {
        let studies = try StudyStore(location: store.location(product: StudyStore.product))
        let resolved = try studies.resolve(id)
        guard let study = try studies.study(id: resolved, actor: commandActor, identity: showPHI) else {
            throw StudyLookupError.notFound(id)
        }
        if image != nil || heatmap != nil {
            let pictures = try StudyPictures.load(id: resolved, store: studies, view: try model.load().spec.input)
            try write(pictures?.thumbnail, to: image, what: "image")
            try write(pictures?.heatmap, to: heatmap, what: "heatmap")
        }
        if json {
            print(try JSONOutput.string(study))
        } else {
            print(StudyText.lines(study).joined(separator: "\n"))
        }
        if study.integrityFailed {
            printError("triage: error: study \(resolved) failed its integrity check (edited outside triage)")
            throw ExitStatus.failure
        }
    }

    /// Writes `data` (mode 0600) when a path was asked for; says so when the study has no such picture.
    private func write(_ data: Data?, to path: String?, what: String) throws {
        guard let path else { return }
        guard let data else {
            printError("triage: note: this study has no \(what) (it was not decoded or not scored)")
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
        print("\(what): \(path)")
    }
}

/// `triage show` as text: one "field  value" line each.
enum StudyText {
    static func lines(_ s: StudyStore.Study) -> [String] {
        var out = ["study     \(s.id)\(s.integrityFailed ? "  INTEGRITY FAILED (fields edited outside triage)" : "")",
                   "status    \(s.status.rawValue)"]
        if s.status == .scored, let score = s.score {
            out.append("verdict   \(s.positive == true ? "POSITIVE" : "negative") \(String(format: "%.3f", score)), urgency \(s.urgency?.rawValue ?? "-")")
        }
        if let p = s.probabilities {
            out.append("scores    " + p.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.3f", $0.value))" }.joined(separator: ", "))
        }
        if let reason = s.reason { out.append("reason    \(reason)\(s.reasonDetail.map { ": \($0)" } ?? "")") }
        out.append("model     \(s.modelID ?? "-")")
        out.append("format    \(s.format)")
        out.append("arrived   \(s.createdAt)")
        if let scored = s.scoredAt { out.append("scored    \(scored)") }
        if let read = s.readAt {
            var line = "read      \(read) by \(s.readBy ?? "?")"
            if let opinion = s.readOpinion { line += ", \(opinion)" + (s.readLabel.map { " (\($0))" } ?? "") }
            out.append(line)
            if let note = s.readNote { out.append("note      \(note)") }
        } else {
            out.append("read      no")
        }
        out.append("patient   \(s.patient ?? "-")")
        if let i = s.identity {
            for (field, value) in [("name", i.patientName), ("patientID", i.patientID), ("birth", i.birthDate), ("accession", i.accession), ("source", i.sourcePath)] {
                if let value { out.append(field.padding(toLength: 10, withPad: " ", startingAt: 0) + value) }
            }
        }
        return out
    }
}
