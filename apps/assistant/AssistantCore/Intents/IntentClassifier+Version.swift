public import Foundation
import ModelRuntime

extension IntentClassifier {
    /// Loads an intent-classifier folder as `ask` would, for `assistant models add`: its
    /// classifier.json and, when it has one, its fine-tuned encoder (which must be the one it was
    /// trained on). A classifier that uses the shared encoder is checked against it when it is
    /// loaded with one (`ask`, `batch`, `serve`: `ClassifierError.modelMismatch`).
    /// - Throws: `ClassifierError` or the encoder's error, naming the file at fault.
    public static func validateVersion(folder: URL) throws {
        let classifier = try load(folder: folder)
        guard classifier.encoder != nil else { return }
        _ = try SentenceEncoder(folder: try classifier.encoderFolder(classifierFolder: folder) { folder })
    }
}
