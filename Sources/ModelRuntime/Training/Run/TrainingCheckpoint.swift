import Foundation
import SuiteFoundation

/// The state of an unfinished run after a whole epoch, in one safetensors file written
/// atomically: every group's parameters, each optimiser's moments (`optimizer.<group>.first`,
/// `.second`), and in the metadata the run's identity and progress as JSON. A run interrupted at
/// any point resumes from the last completed epoch and continues exactly as an uninterrupted
/// one would (per-epoch random streams).
struct TrainingCheckpoint<Identity: RunIdentity> {
    static var fileName: String { "checkpoint.safetensors" }

    let url: URL
    let identity: Identity

    func save(_ groups: [OptimizedParameters], progress: TrainingProgress) throws {
        var tensors: [(name: String, tensor: Tensor)] = []
        for group in groups {
            tensors += group.parameters.namedTensors()
            let (first, second) = group.optimizer.moments
            tensors.append(("optimizer.\(group.name).first", Tensor(shape: [first.count], values: first)))
            tensors.append(("optimizer.\(group.name).second", Tensor(shape: [second.count], values: second)))
        }
        let metadata = ["identity": try JSONOutput.string(identity), "progress": try JSONOutput.string(progress)]
        try SafeTensorsWriter.write(tensors, metadata: metadata, to: url)
    }

    /// Loads the checkpoint into `groups` when one exists; nil when there is none.
    /// - Throws: `TrainingError.checkpointMismatch` when it is from another run or inconsistent.
    func resume(into groups: [OptimizedParameters]) throws -> TrainingProgress? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = try SafeTensorsFile(url: url)
        func mismatch(_ detail: String) -> TrainingError { .checkpointMismatch(path: url.path, detail: detail) }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = file.metadata[key] else { throw mismatch("no \(key)") }
            do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch let error as DecodingError {
                throw mismatch("\(key): \(error.summary)")
            }
        }
        let saved = try decode(Identity.self, "identity")
        guard saved == identity else { throw mismatch(identity.difference(from: saved)) }
        let progress = try decode(TrainingProgress.self, "progress")
        for group in groups {
            let missing = try group.parameters.load(from: file)
            guard missing.isEmpty else { throw mismatch("tensors missing: \(missing.prefix(3).joined(separator: ", "))") }
            let first = try file.tensor("optimizer.\(group.name).first").scalars
            let second = try file.tensor("optimizer.\(group.name).second").scalars
            guard first.count == second.count, first.isEmpty || first.count == group.parameters.scalarCount else {
                throw mismatch("inconsistent \(group.name) optimizer state")
            }
            group.optimizer.restore(steps: progress.optimizerSteps, first: first, second: second)
        }
        return progress
    }
}
