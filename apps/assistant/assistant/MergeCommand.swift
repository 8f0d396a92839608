import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import RecordStore

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shards of one batch: their stores into the store of --home, their outputs into one output.",
        discussion: """
            Stores: the tickets of each other home (with their answers and feedback) that --home does not hold yet \
            are copied, matched by ticket id, so merging again copies nothing. Sealed fields are opened with the other \
            home's keys ($ASSISTANT_KEYS when set, else its keyring.json or --other-key-file) and sealed again under the \
            keys of --home; a row whose integrity tag fails stops the merge. Audited in both stores. Outputs: with \
            --output, the lines of every --part are written to it in input order (by "row"), one line per row.
            """)

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("other-key-file"), help: ArgumentHelp("Key file of the other homes (default: <other>/keyring.json).", valueName: "file"))
    var otherKeyFile: String?
    @Option(help: ArgumentHelp("Merged output JSONL (with --part).", valueName: "file")) var output: String?
    @Option(help: ArgumentHelp("A shard's batch output; repeat for each shard.", valueName: "file")) var part: [String] = []
    @Argument(help: "Homes of the shards' stores to merge in.") var others: [String] = []

    func validate() throws {
        if others.isEmpty && part.isEmpty { throw ValidationError("give other homes to merge, or --output with --part files") }
        if (output == nil) != part.isEmpty { throw ValidationError("--output and --part go together") }
        if let output, FileManager.default.fileExists(atPath: output) {
            throw ValidationError("\(output) exists: choose another output")
        }
    }

    func run() throws {
        if !others.isEmpty {
            let target = try AssistantStore(location: store.location(product: AssistantProduct.name))
            for other in others {
                let location = try StoreOptions.otherHome(other, keyFile: otherKeyFile, product: AssistantProduct.name)
                let summary = try target.merge(from: try AssistantStore(location: location), actor: commandActor)
                print("\(other): \(summary.copied) tickets copied, \(summary.alreadyPresent) already present")
            }
        }
        if let output {
            let summary = try BatchOutputMerge.merge(part.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: output))
            print("\(summary.lines) lines (\(summary.duplicates) duplicate rows dropped) → \(output)")
        }
    }
}
