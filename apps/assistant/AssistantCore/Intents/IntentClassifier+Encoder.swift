public import Foundation
import ModelRuntime

extension IntentClassifier {
    /// The folder of the sentence encoder this classifier embeds tickets with: its own
    /// (fine-tuned) encoder inside `classifierFolder` when it has one, else the shared one.
    ///
    /// - Parameter shared: the shared encoder folder (`--model`), asked for only when needed.
    /// - Throws: `ClassifierError.invalidFile` when the classifier's own encoder is missing,
    ///   `ClassifierError.modelMismatch` unless the folder is the encoder the head was trained on.
    public func encoderFolder(classifierFolder: URL, shared: () throws -> URL) throws -> URL {
        let folder: URL
        if let encoder {
            folder = classifierFolder.appendingPathComponent(encoder, isDirectory: true)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) else {
                throw ClassifierError.invalidFile(
                    path: folder.path, detail: "the classifier's fine-tuned encoder is missing (copy the whole classifier folder)")
            }
        } else {
            folder = try shared()
        }
        let version = ModelLocator.version(of: folder)
        guard version == embeddingModel else { throw ClassifierError.modelMismatch(classifier: embeddingModel, encoder: version) }
        return folder
    }
}
