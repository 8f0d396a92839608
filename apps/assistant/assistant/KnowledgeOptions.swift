import ArgumentParser
import CommandLineSupport
import Foundation
import RecordStore

/// `--kb-db`: the knowledge index file (default `<home>/kb.sqlite`).
struct KnowledgeOptions: ParsableArguments {
    @Option(name: .customLong("kb-db"), help: ArgumentHelp("Knowledge index (default: <home>/kb.sqlite).", valueName: "file"))
    var kbDB: String?

    func path(home: StoreLocation) -> String {
        kbDB ?? home.home.appendingPathComponent("kb.sqlite").path
    }
}
