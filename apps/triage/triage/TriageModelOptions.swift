import ArgumentParser
import CommandLineSupport
import Foundation
import RecordStore
import TriageCore

/// `--model DIR`, for the commands that score images.
struct TriageModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Model folder with model.json and weights.safetensors (default: the active version of `triage models` in the store, else data/triage-model).",
        valueName: "dir"))
    var model: String?

    func folder() throws -> URL { try model.map { URL(fileURLWithPath: $0) } ?? TriageModel.locateDefault() }

    func load() throws -> TriageModel { try TriageModel.load(directory: try folder()) }

    /// `--model DIR` as given; without it the active version of the store's registry (its id is
    /// the model every verdict records), else the shipped model.
    func load(registry store: StudyStore?) throws -> TriageModel {
        if model == nil, let store, let active = try TriageModel.loadActive(store.models) { return active }
        return try load()
    }
}

/// The audit trail for scoring commands that do not need a store: the store of --home (or
/// $TRIAGE_HOME, or the default home) when its keys are there, else nil with a note.
func optionalAuditStore(_ options: StoreOptions) -> StudyStore? {
    do { return try StudyStore(location: options.location(product: StudyStore.product)) } catch {
        printError("triage: note: verdicts are not audited (\(error)); pass --home of a store set up with `triage keys init`")
        return nil
    }
}
