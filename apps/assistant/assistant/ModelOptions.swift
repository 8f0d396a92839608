import ArgumentParser
import AssistantCore
import Foundation
import ModelRuntime

/// Options shared by the commands that load the sentence encoder.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Sentence-transformers model folder (default: $\(ModelLocator.environmentVariable), then \(ModelLocator.defaultRelativePath)).",
        valueName: "dir"))
    var model: String?

    func modelFolder() throws -> URL { try ModelLocator.resolve(explicit: model) }
}

/// The `--threads` knob: BLAS threads and parallel loops.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads for BLAS and parallel loops (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func apply() { ComputeThreads.set(threads ?? ComputeThreads.available) }
}
