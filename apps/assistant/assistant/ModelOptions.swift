import ArgumentParser
import AssistantCore
import Foundation

/// Options shared by the commands that load the sentence encoder.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Sentence-transformers model folder (default: $\(ModelLocator.environmentVariable), then \(ModelLocator.defaultRelativePath)).",
        valueName: "dir"))
    var model: String?

    func modelFolder() throws -> URL { try ModelLocator.resolve(explicit: model) }
}
