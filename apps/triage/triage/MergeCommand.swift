import ArgumentParser
import CommandLineSupport
import Foundation
import RecordStore
import TriageCore

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Copy the studies of other homes (e.g. the shards of one batch) into the store of --home.",
        discussion: """
            Studies are matched by content hash: those already present are left alone, so merging again \
            copies nothing. Identifying fields are opened with each other home's keys ($TRIAGE_KEYS when set, \
            else its keyring.json or --other-key-file) and sealed again under the keys of --home. Ids, \
            verdicts, arrival and read times are kept. Audited in both stores.
            """)

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("other-key-file"), help: ArgumentHelp("Key file of the other homes (default: <other>/keyring.json).", valueName: "file"))
    var otherKeyFile: String?
    @Argument(help: "Homes of the stores to merge in.") var others: [String]

    func validate() throws {
        if others.isEmpty { throw ValidationError("give at least one other home") }
    }

    func run() throws {
        let target = try StudyStore(location: store.location(product: StudyStore.product))
        for other in others {
            let location = try StoreOptions.otherHome(other, keyFile: otherKeyFile, product: StudyStore.product)
            let source = try StudyStore(location: location)
            let summary = try target.merge(from: source, actor: commandActor)
            print("\(other): \(summary.copied) studies copied, \(summary.alreadyPresent) already present")
        }
    }
}
