import ArgumentParser
import CommandLineSupport
import Foundation
import TriageCore
import RecordStore

struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Mark a study reviewed (it leaves the worklist), with your opinion; recorded in the audit trail.",
        discussion: """
            ID is the study id or a unique prefix of it (at least 4 characters). --agree or --disagree records \
            your opinion of the model's verdict, --label what you call the study, --note free text (sealed in \
            the store). --undo puts a read study back on the worklist.
            """)

    @Argument(help: "Study id or a unique prefix, as the worklist shows it.") var id: String
    @Flag(help: "You agree with the model's verdict.") var agree = false
    @Flag(help: "You disagree with the model's verdict.") var disagree = false
    @Option(help: ArgumentHelp("Your label for the study (letters, digits, _ or -), e.g. normal, pneumonia.", valueName: "label"))
    var label: String?
    @Option(help: ArgumentHelp("A note, stored sealed.", valueName: "text")) var note: String?
    @Flag(help: "Undo the read: the study returns to the worklist.") var undo = false
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if agree && disagree { throw ValidationError("give --agree or --disagree, not both") }
        if undo && (agree || disagree || label != nil || note != nil) {
            throw ValidationError("--undo takes no opinion (--agree, --disagree, --label, --note)")
        }
        if (label != nil || note != nil) && !agree && !disagree {
            throw ValidationError("--label and --note go with --agree or --disagree")
        }
        if let label, !StudyStore.ReaderOpinion.isValidLabel(label) {
            throw ValidationError("--label '\(label)' must be 1...64 letters, digits, _ or -")
        }
        if let note, note.isEmpty || note.utf8.count > 4096 { throw ValidationError("--note must be 1...4096 bytes") }
    }

    func run() throws {
        let studies = try StudyStore(location: store.location(product: StudyStore.product))
        let study = try studies.resolve(id)
        let opinion = (agree || disagree)
            ? StudyStore.ReaderOpinion(verdict: agree ? .agree : .disagree, label: label, note: note) : nil
        switch undo ? try studies.undoRead(id: study, actor: commandActor) : try studies.markRead(id: study, actor: commandActor, opinion: opinion) {
        case .marked(let at): print("\(study): marked read at \(at)\(opinion.map { " (\($0.verdict.rawValue))" } ?? "")")
        case .alreadyRead(let at): print("\(study): already read at \(at) (`triage read \(id) --undo` to reopen it)")
        case .undone: print("\(study): back on the worklist")
        case .notRead: print("\(study): not read, nothing to undo")
        case .notFound:
            printError("triage: error: no study \(study) in \(studies.secure.location.database.path)")
            throw ExitStatus.failure
        }
    }
}
