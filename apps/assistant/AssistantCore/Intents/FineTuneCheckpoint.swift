import Foundation
import ModelRuntime

/// The state of an unfinished fine-tuning run after a whole epoch: the trained encoder layers
/// and the head, both AdamW states, the validation accuracies so far and what the run was
/// (settings, data and base-encoder identity), in one safetensors file written atomically. A
/// run interrupted at any point resumes from the last completed epoch and continues exactly as
/// an uninterrupted run would (each epoch's shuffle is drawn from the seed and the epoch).
struct FineTuneCheckpoint {
    static let file = "checkpoint.safetensors"
    /// The parameters of the best epoch so far.
    static let bestFile = "best.safetensors"

    /// What must match for a resume.
    struct Identity: Codable, Equatable {
        var settings: FineTuneSettings
        var baseEncoder: String
        var labels: [String]
        var trainSHA256: String
        var validationSHA256: String
    }

    var identity: Identity
    var epochsDone: Int
    var optimizerSteps: Int
    var accuracyByEpoch: [Double]
    /// 1-based; 0 before the first epoch.
    var bestEpoch: Int
    /// Training time so far, in seconds (summed over resumed sessions).
    var seconds: Double

    static func url(in folder: URL) -> URL { folder.appendingPathComponent(file) }

    /// Writes the checkpoint atomically.
    func save(encoder: ParameterSet, head: ParameterSet, optimizers: (encoder: AdamW, head: AdamW), in folder: URL) throws {
        var tensors = encoder.namedTensors() + head.namedTensors()
        for (name, optimizer) in [("encoder", optimizers.encoder), ("head", optimizers.head)] {
            let (first, second) = optimizer.moments
            tensors.append(("optimizer.\(name).first", Tensor(shape: [first.count], values: first)))
            tensors.append(("optimizer.\(name).second", Tensor(shape: [second.count], values: second)))
        }
        let json = JSONEncoder()
        json.outputFormatting = .sortedKeys
        let metadata = [
            "identity": String(decoding: try json.encode(identity), as: UTF8.self),
            "epochs_done": String(epochsDone), "optimizer_steps": String(optimizerSteps),
            "accuracy_by_epoch": String(decoding: try json.encode(accuracyByEpoch), as: UTF8.self),
            "best_epoch": String(bestEpoch), "seconds": String(seconds),
        ]
        try SafeTensorsWriter.write(tensors, metadata: metadata, to: Self.url(in: folder))
    }

    /// Reads a checkpoint into the parameter sets and optimisers when one exists (nil otherwise).
    ///
    /// - Throws: `FineTuneError.checkpointMismatch` when it is from another run.
    static func resume(in folder: URL, expecting identity: Identity, encoder: ParameterSet, head: ParameterSet,
                       optimizers: inout (encoder: AdamW, head: AdamW)) throws -> FineTuneCheckpoint? {
        let url = Self.url(in: folder)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = try SafeTensorsFile(url: url)
        func field(_ key: String) throws -> String {
            guard let value = file.metadata[key] else { throw FineTuneError.checkpointMismatch(path: url.path, detail: "no \(key)") }
            return value
        }
        let saved = try JSONDecoder().decode(Identity.self, from: Data(try field("identity").utf8))
        guard saved == identity else {
            let what = saved.settings != identity.settings ? "settings differ"
                : saved.baseEncoder != identity.baseEncoder ? "the base encoder differs" : "the examples differ"
            throw FineTuneError.checkpointMismatch(path: url.path, detail: what)
        }
        for set in [encoder, head] {
            let missing = try set.load(from: file)
            guard missing.isEmpty else {
                throw FineTuneError.checkpointMismatch(path: url.path, detail: "tensors missing: \(missing.prefix(3).joined(separator: ", "))")
            }
        }
        guard let epochs = Int(try field("epochs_done")), let steps = Int(try field("optimizer_steps")),
              let best = Int(try field("best_epoch")), let seconds = Double(try field("seconds"))
        else { throw FineTuneError.checkpointMismatch(path: url.path, detail: "unreadable progress fields") }
        for (name, set) in [("encoder", encoder), ("head", head)] {
            let first = try file.tensor("optimizer.\(name).first").scalars
            let second = try file.tensor("optimizer.\(name).second").scalars
            guard first.count == second.count, first.isEmpty || first.count == set.scalarCount else {
                throw FineTuneError.checkpointMismatch(path: url.path, detail: "inconsistent \(name) optimizer state")
            }
            if name == "encoder" {
                optimizers.encoder.restore(steps: steps, first: first, second: second)
            } else {
                optimizers.head.restore(steps: steps, first: first, second: second)
            }
        }
        let accuracies = try JSONDecoder().decode([Double].self, from: Data(try field("accuracy_by_epoch").utf8))
        return FineTuneCheckpoint(identity: identity, epochsDone: epochs, optimizerSteps: steps,
                                  accuracyByEpoch: accuracies, bestEpoch: best, seconds: seconds)
    }
}
