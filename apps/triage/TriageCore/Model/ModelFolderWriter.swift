public import Foundation
import SuiteFoundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes a triage model folder: `weights.safetensors`, `model.json` and `MODEL_CARD.md`.
/// Each file is first written beside its final name and the three are renamed into place
/// only once all are complete, so an existing model is never left half-replaced by a failure.
public enum ModelFolderWriter {
    /// - Parameter weights: a safetensors file of the model's parameters; it is moved into the folder.
    public static func write(spec: TriageModelSpec, weights: URL, to folder: URL) throws {
        let encoder = JSONOutput.encoder(pretty: true)
        let files: [(name: String, data: Data)] = [
            (TriageModel.specFile, try encoder.encode(spec) + Data("\n".utf8)),
            (TriageModel.cardFile, Data(ModelCard.markdown(spec).utf8)),
        ]
        func staged(_ name: String) -> URL { folder.appendingPathComponent(".\(name).partial") }
        do {
            for (name, data) in files { try data.write(to: staged(name)) }
            try? FileManager.default.removeItem(at: staged(TriageModel.weightsFile))
            if weights.standardizedFileURL != staged(TriageModel.weightsFile).standardizedFileURL {
                try FileManager.default.moveItem(at: weights, to: staged(TriageModel.weightsFile))
            }
            for name in [TriageModel.weightsFile, TriageModel.specFile, TriageModel.cardFile] {
                // rename(2) replaces an existing file atomically.
                guard rename(staged(name).path, folder.appendingPathComponent(name).path) == 0 else {
                    throw TriageModelError.writeFailed(path: folder.appendingPathComponent(name).path,
                                                       detail: String(cString: strerror(errno)))
                }
            }
        } catch let error as TriageModelError {
            for name in [TriageModel.weightsFile, TriageModel.specFile, TriageModel.cardFile] {
                try? FileManager.default.removeItem(at: staged(name))
            }
            throw error
        } catch {
            for name in [TriageModel.weightsFile, TriageModel.specFile, TriageModel.cardFile] {
                try? FileManager.default.removeItem(at: staged(name))
            }
            throw TriageModelError.writeFailed(path: folder.path, detail: error.localizedDescription)
        }
    }

    /// Rewrites `MODEL_CARD.md` (and `model.json`, whose validation figures it shows) of an
    /// existing folder, atomically per file.
    public static func rewriteCard(spec: TriageModelSpec, in folder: URL) throws {
        let encoder = JSONOutput.encoder(pretty: true)
        do {
            try (try encoder.encode(spec) + Data("\n".utf8)).write(to: folder.appendingPathComponent(TriageModel.specFile),
                                                                 options: .atomic)
            try Data(ModelCard.markdown(spec).utf8).write(to: folder.appendingPathComponent(TriageModel.cardFile),
                                                          options: .atomic)
        } catch {
            throw TriageModelError.writeFailed(path: folder.path, detail: error.localizedDescription)
        }
    }
}
