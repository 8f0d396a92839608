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

    /// Sets the threads, opens everything and checks the index exists.
    ///
    /// Without `--classifier`, the active version of the store's registry is the classifier and its
    /// id is the model version every decision records; otherwise the decisions record the shared
    /// encoder's version (`ModelLocator.version`), as before the registry.
    func makeAnswerer() throws -> (answerer: Answerer, index: KnowledgeIndex, store: AssistantStore) {
        threadOptions.apply()
        let location = store.location(product: AssistantProduct.name)
        let indexPath = knowledge.path(home: location)
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw ValidationError("no knowledge index at \(indexPath): build it with `assistant index --kb FILE`")
        }
        let folder = try modelOptions.modelFolder()
        let assistantStore = try AssistantStore(location: location)
        let registered = classifier == nil ? try assistantStore.models.activeFolder() : nil
        let headFolder = registered?.folder
            ?? (classifier ?? ModelLocator.activeClassifierFolder(home: location.home)).map { URL(fileURLWithPath: $0) }
        let head = try headFolder.map { try IntentClassifier.load(folder: $0) }
        let encoder = try SentenceEncoder(folder: folder), encoderVersion = ModelLocator.version(of: folder)
        // A fine-tuned classifier brings its own encoder; retrieval keeps the shared one the index was built with.
        var ownEncoder: (encoder: SentenceEncoder, version: String)?
        if let head, let headFolder, head.encoder != nil {
            let encoderFolder = try head.encoderFolder(classifierFolder: headFolder) { folder }
            ownEncoder = (try SentenceEncoder(folder: encoderFolder), ModelLocator.version(of: encoderFolder))
        } else if registered != nil, head != nil {
            // A registered classifier on the shared encoder: named as the classifier's encoder so that
            // the encoder check holds while the decisions record the registry's version id.
            ownEncoder = (encoder, encoderVersion)
        }
        let index = try KnowledgeIndex(path: indexPath)
        let answerer = try Answerer(index: index, encoder: encoder, store: assistantStore,
                                    modelVersion: registered?.id ?? encoderVersion, classifier: head,
                                    classifierEncoder: ownEncoder)
        return (answerer, index, assistantStore)
    }
}
