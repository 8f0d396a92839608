import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime
import RecordStore

/// Options shared by `ask`, `batch` and `serve`: the store, the knowledge index, the model and
/// the intent classifier, and the wiring that turns them into an `Answerer`.
struct AnswererOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Intent classifier folder (default: the active version of `assistant models` in the store, else <home>/classifier written by `index --train`, else data/classifier when it exists).",
        valueName: "dir"))
    var classifier: String?
    @OptionGroup var knowledge: KnowledgeOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    /// What an answerer is built from, apart from its classifier: the shared encoder (retrieval),
    /// the knowledge index and the store.
    struct Parts: Sendable {
        let encoderFolder: URL
        let encoder: SentenceEncoder
        let encoderVersion: String
        let index: KnowledgeIndex
        let store: AssistantStore
    }

    /// Sets the threads, opens everything and checks the index exists.
    ///
    /// Without `--classifier`, the active version of the store's registry is the classifier and its
    /// id is the model version every decision records (`registered`); otherwise the decisions record
    /// the shared encoder's version (`ModelLocator.version`), as before the registry.
    func makeAnswerer() throws -> (answerer: Answerer, index: KnowledgeIndex, store: AssistantStore, parts: Parts, registered: String?) {
        threadOptions.apply()
        let location = store.location(product: AssistantProduct.name)
        let indexPath = knowledge.path(home: location)
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw ValidationError("no knowledge index at \(indexPath): build it with `assistant index --kb FILE`")
        }
        let folder = try modelOptions.modelFolder()
        let assistantStore = try AssistantStore(location: location)
        let registered = classifier == nil ? try assistantStore.models.activeFolder() : nil
        let parts = Parts(encoderFolder: folder, encoder: try SentenceEncoder(folder: folder), encoderVersion: ModelLocator.version(of: folder),
                          index: try KnowledgeIndex(path: indexPath), store: assistantStore)
        let answerer: Answerer
        if let registered {
            answerer = try Self.answerer(parts, classifierFolder: registered.folder, registeredID: registered.id)
        } else {
            let headFolder = (classifier ?? ModelLocator.activeClassifierFolder(home: location.home)).map { URL(fileURLWithPath: $0) }
            answerer = try Self.answerer(parts, classifierFolder: headFolder, registeredID: nil)
        }
        return (answerer, parts.index, assistantStore, parts, registered?.id)
    }

    /// An answerer with the classifier of `classifierFolder` (none: retrieval alone); its decisions
    /// record `registeredID` when the classifier is a registry version, else the shared encoder's version.
    static func answerer(_ parts: Parts, classifierFolder headFolder: URL?, registeredID: String?) throws -> Answerer {
        let head = try headFolder.map { try IntentClassifier.load(folder: $0) }
        // A fine-tuned classifier brings its own encoder; retrieval keeps the shared one the index was built with.
        var ownEncoder: (encoder: SentenceEncoder, version: String)?
        if let head, let headFolder, head.encoder != nil {
            let encoderFolder = try head.encoderFolder(classifierFolder: headFolder) { parts.encoderFolder }
            ownEncoder = (try SentenceEncoder(folder: encoderFolder), ModelLocator.version(of: encoderFolder))
        }
        return try Answerer(index: parts.index, encoder: parts.encoder, store: parts.store,
                            modelVersion: registeredID ?? parts.encoderVersion, encoderVersion: parts.encoderVersion,
                            classifier: head, classifierEncoder: ownEncoder)
    }
}
