import ArgumentParser
import CommandLineSupport
import Foundation
import SuiteFoundation
import TriageCore

struct WorklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worklist",
        abstract: "List the unread studies, most urgent first.",
        discussion: """
            Order: effective urgency (the model's urgency raised one level per --ageing-hours of waiting, so \
            routine studies are not starved), then the model's urgency, then score, then arrival. Studies the \
            model could not assess, and inputs that could not be read, follow in their own section, oldest \
            first, with their reason; a reader clears each with `triage read`. Studies whose integrity check \
            fails come first. The listing is audited; it shows \
            study ids and patient pseudonyms, never names. Mark a study read with `triage read ID`.
            """)

    @OptionGroup var store: StoreOptions
    @Flag(help: "One JSON array.") var json = false
    @Flag(name: .customLong("by-study"),
          help: "With --json: one entry per DICOM study, led by its most urgent assessable image (the study's verdict).")
    var byStudy = false
    @Option(help: "Show at most N studies.") var limit: Int?
    @Option(name: .customLong("ageing-hours"), help: "Hours of waiting that raise a study's urgency one level.")
    var ageingHours: Double = WorklistPolicy.default.hoursPerLevel

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if !(ageingHours > 0) { throw ValidationError("--ageing-hours must be positive") }
        if byStudy && !json { throw ValidationError("--by-study goes with --json") }
    }

    func run() throws {
        let studies = try StudyStore(location: store.location(product: StudyStore.product))
        let items = try studies.worklist(policy: WorklistPolicy(hoursPerLevel: ageingHours), limit: byStudy ? nil : limit, actor: commandActor)
        let rows = items.enumerated().map { ReportRow(rank: $0.offset + 1, item: $0.element) }
        let failed = rows.filter { $0.integrity != nil }.count
        defer { if failed > 0 { printError("triage: error: \(failed) studies failed their integrity check (edited outside triage); run `triage records verify`") } }
        if byStudy {
            print(try JSONOutput.string(Array(StudyGroup.group(rows).prefix(limit ?? .max))))
            if failed > 0 { throw ExitStatus.failure }
            return
        }
        if json {
            print(try JSONOutput.string(rows))
            if failed > 0 { throw ExitStatus.failure }
            return
        }
        if rows.isEmpty { print("no unread studies") }
        var section: WorklistItem.Section?
        for (row, item) in zip(rows, items) {
            if row.section != section && row.integrity == nil {
                section = row.section
                print(row.section == .scored ? "Scored by the model, most urgent first:"
                      : "Not assessed by the model (refused or unreadable), oldest first; clear each with `triage read ID`:")
                print("  #  study                                 urgency   verdict  patient  waiting")
            }
            let verdict = row.integrity != nil ? "INTEGRITY FAILED (fields edited outside triage; read the study)"
                : row.status == .scored
                ? "\(row.positive == true ? "POSITIVE" : "negative") \(String(format: "%.3f", row.score ?? 0))"
                : row.status == .failed ? "UNREADABLE (\(row.reasonDetail ?? ""))" : "NOT ASSESSABLE \(row.reason ?? "")"
            let aged = row.effectiveUrgency != row.urgency ? " (was \(row.urgency.rawValue))" : ""
            let rank = String(repeating: " ", count: max(0, 3 - String(row.rank).count)) + String(row.rank)
            let urgency = row.section == .notAssessed ? "-       "
                : (row.effectiveUrgency.rawValue + aged).padding(toLength: max(8, row.effectiveUrgency.rawValue.count + aged.count), withPad: " ", startingAt: 0)
            print("\(rank)  \(row.studyID)  \(urgency)  \(verdict)  \(row.patient ?? "-")  waiting \(BatchProgressLine.duration(item.waitingHours * 3600))")
        }
        if failed > 0 { throw ExitStatus.failure }
    }
}
