import ArgumentParser
import CommandLineSupport
import Foundation
import TriageCore
import RecordStore

struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Mark a study reviewed (it leaves the worklist); recorded in the audit trail.")

    @Argument(help: "Study id, as the worklist shows it.") var id: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        let studies = try StudyStore(location: store.location(product: StudyStore.product))
        switch try studies.markRead(id: id, actor: commandActor) {
        case .marked(let at): print("\(id): marked read at \(at)")
        case .alreadyRead(let at): print("\(id): already read at \(at)")
        case .notFound:
            printError("triage: error: no study \(id) in \(studies.secure.location.database.path)")
            throw ExitStatus.failure
        }
    }
}
