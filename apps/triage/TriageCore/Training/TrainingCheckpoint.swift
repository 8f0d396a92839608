import Foundation
import ModelRuntime

/// The state of an unfinished `triage train` after a whole epoch: parameters and running
/// statistics, the AdamW moments and step count, the validation AUCs so far, and what the run
/// was (settings and data hashes), in one safetensors file written atomically. A run
/// interrupted at any point resumes from the last completed epoch and continues exactly as an
/// uninterrupted run would (shuffles and augmentations are drawn per epoch from the seed).
struct TrainingCheckpoint {
    static let file = "checkpoint.safetensors"
    static let bestFile = "best.safetensors"

    /// What must match for a resume.
    struct Identity: Codable, Equatable {
        var settings: TrainingSettings
        var trainSHA256: String
        var validationSHA256: String
    }

    var identity: Identity
    /// Epochs completed (1-based count).
    var epochsDone: Int
    var optimizerSteps: Int
    var aucByEpoch: [Double]
    var bestEpoch: Int
    /// Training time so far, in seconds (summed over resumed sessions).
    var seconds: Double

    static func url(in folder: URL) -> URL { folder.appendingPathComponent(file) }

    /// Writes the checkpoint atomically.
    func save(parameters: ParameterSet, optimizer: AdamW, in folder: URL) throws {
        let (first, second) = optimizer.moments
        var tensors = parameters.namedTensors()
        tensors.append(("optimizer.first", Tensor(shape: [first.count], values: first)))
        tensors.append(("optimizer.second", Tensor(shape: [second.count], values: second)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let metadata = [
            "identity": String(decoding: try encoder.encode(identity), as: UTF8.self),
            "epochs_done": String(epochsDone), "optimizer_steps": String(optimizerSteps),
            "auc_by_epoch": String(decoding: try encoder.encode(aucByEpoch), as: UTF8.self),
            "best_epoch": String(bestEpoch), "seconds": String(seconds),
        ]
        try SafeTensorsWriter.write(tensors, metadata: metadata, to: Self.url(in: folder))
    }

    /// Reads a checkpoint into `parameters` and `optimizer` when one exists (nil otherwise).
    ///
    /// - Throws: `TrainingError.checkpointMismatch` when it is from another run.
    static func resume(in folder: URL, expecting identity: Identity, parameters: ParameterSet,
                       optimizer: inout AdamW) throws -> TrainingCheckpoint? {
        let url = Self.url(in: folder)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = try SafeTensorsFile(url: url)
        let m = file.metadata
        func field(_ key: String) throws -> String {
            guard let value = m[key] else { throw TrainingError.checkpointMismatch(path: url.path, detail: "no \(key)") }
            return value
        }
        let saved = try JSONDecoder().decode(Identity.self, from: Data(try field("identity").utf8))
        guard saved == identity else {
            let what = saved.settings != identity.settings ? "settings differ" : "the labels files differ"
            throw TrainingError.checkpointMismatch(path: url.path, detail: what)
        }
        let missing = try parameters.load(from: file)
        guard missing.isEmpty else {
            throw TrainingError.checkpointMismatch(path: url.path, detail: "tensors missing: \(missing.prefix(3).joined(separator: ", "))")
        }
        let first = try file.tensor("optimizer.first").scalars, second = try file.tensor("optimizer.second").scalars
        guard let epochs = Int(try field("epochs_done")), let steps = Int(try field("optimizer_steps")),
              let best = Int(try field("best_epoch")), let seconds = Double(try field("seconds")),
              first.count == second.count, first.isEmpty || first.count == parameters.scalarCount
        else { throw TrainingError.checkpointMismatch(path: url.path, detail: "inconsistent optimizer state") }
        optimizer.restore(steps: steps, first: first, second: second)
        let aucs = try JSONDecoder().decode([Double].self, from: Data(try field("auc_by_epoch").utf8))
        return TrainingCheckpoint(identity: identity, epochsDone: epochs, optimizerSteps: steps, aucByEpoch: aucs,
                                  bestEpoch: best, seconds: seconds)
    }
}
