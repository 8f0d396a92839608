import ArgumentParser
import CommandLineSupport
import Foundation
import RecordStore
import TriageCore

/// `--model DIR`, for the commands that score images.
struct TriageModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Model folder with model.json and weights.safetensors (default: data/triage-model).", valueName: "dir"))
    var model: String?

    func load() throws -> TriageModel {
        // The running binary's real path (argv[0] is a bare name when triage is found on $PATH).
        let executable = Bundle.main.executablePath ?? CommandLine.arguments.first ?? ""
        return try TriageModel.load(directory: try model.map { URL(fileURLWithPath: $0) }
                                        ?? TriageModel.locateDefault(executable: executable))
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
