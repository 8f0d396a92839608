import ArgumentParser
import CommandLineSupport
import Foundation
import RecordStore
import TriageCore

/// `--model DIR`, for the commands that score images.
struct TriageModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Model folder with model.json and weights.safetensors (default: data/triage-model).", valueName: "dir"))
    var model: String?

    func folder() throws -> URL { try model.map { URL(fileURLWithPath: $0) } ?? TriageModel.locateDefault() }

    func load() throws -> TriageModel { try TriageModel.load(directory: try folder()) }
}

/// The audit trail for scoring commands that do not need a store: the store of --home (or
/// $TRIAGE_HOME, or the default home) when its keys are there, else nil with a note.
func optionalAuditStore(_ options: StoreOptions) -> StudyStore? {
    do { return try StudyStore(location: options.location(product: StudyStore.product)) } catch {
        printError("triage: note: verdicts are not audited (\(error)); pass --home of a store set up with `triage keys init`")
        return nil
    }
}
