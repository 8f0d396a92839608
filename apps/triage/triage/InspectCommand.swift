import ArgumentParser
import CommandLineSupport
import Foundation
import TriageCore

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe PNG, JPEG and DICOM files without decoding their pixels.",
        discussion: """
            Prints format, size, bit depth, photometric interpretation, transfer syntax, window and frames, \
            one line (or, with --json, one JSON object) per file. Identifying DICOM attributes are shown only \
            with --show-phi. Exit status: 0 all files read, 1 none, 3 some.
            """)

    @Flag(help: "One JSON object per line.")
    var json = false

    @Flag(name: .customLong("show-phi"), help: "Also show identifying attributes (patient, accession, institution, UIDs).")
    var showPHI = false

    @Argument(help: "Files to inspect.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    func run() throws {
        // The audit log is not wired to this command yet: reveals go through the unaudited hook,
        // which says so on standard error.
        let access: (any IdentifyingDataAccess)? = showPHI
            ? UnauditedIdentifyingDataAccess(notice: { printError("triage: note: \($0)") }) : nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var failures = 0
        for path in files {
            do {
                let summary = try ImageInspector.inspect(URL(fileURLWithPath: path), label: path, revealIdentifying: access)
                let line = json ? String(decoding: try encoder.encode(summary), as: UTF8.self) : summary.text
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            } catch {
                failures += 1
                printError("triage: error: \(error)")
            }
        }
        if failures == files.count { throw ExitStatus.failure }
        if failures > 0 { throw ExitStatus.partial }
    }
}
