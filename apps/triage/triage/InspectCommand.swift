import ArgumentParser
import CommandLineSupport
import Foundation
import SuiteFoundation
import TriageCore

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe PNG, JPEG and DICOM files without decoding their pixels.",
        discussion: """
            Prints format, modality and view position (DICOM), size, bit depth, photometric interpretation, transfer syntax, window and frames, \
            one line (or, with --json, one JSON object) per file. Identifying DICOM attributes are shown only \
            with --show-phi, and each such read is recorded in the audit trail of the store in --home \
            (run `triage keys init` first). Exit status: 0 all files read, 1 none, 3 some.
            """)

    @Flag(help: "One JSON object per line.")
    var json = false

    @Flag(name: .customLong("show-phi"), help: "Also show identifying attributes (patient, accession, institution, UIDs).")
    var showPHI = false

    @OptionGroup var store: StoreOptions

    @Argument(help: "Files to inspect.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    func run() throws {
        // Every reveal is recorded in the store's audit trail first, so --show-phi needs the store's keys.
        var access: (any IdentifyingDataAccess)?
        if showPHI {
            do {
                access = AuditedIdentifyingDataAccess(
                    store: try StudyStore(location: store.location(product: StudyStore.product)), actor: commandActor)
            } catch {
                throw ValidationError("--show-phi records each read in the audit trail, which needs the store's keys: \(error) (set them up with `triage keys init`, or pass --home/--key-file)")
            }
        }
        let encoder = JSONOutput.encoder()
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
