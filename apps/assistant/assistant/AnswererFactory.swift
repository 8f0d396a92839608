import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime
import RecordStore

/// Options shared by `ask`, `batch` and `serve`: the store, the knowledge index, the model and
/// the intent classifier, and the wiring that turns them into an `Answerer`.
struct AnswererOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Intent classifier folder (default: <home>/classifier written by `index --train`, else data/classifier when it exists).",
                               valueName: "dir"))
    var classifier: String?
    @OptionGroup var knowledge: KnowledgeOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    /// Sets the threads, opens everything and checks the index exists.
    func makeAnswerer() throws -> (answerer: Answerer, index: KnowledgeIndex, store: AssistantStore) {
        threadOptions.apply()
        let location = store.location(product: AssistantProduct.name)
        let indexPath = knowledge.path(home: location)
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw ValidationError("no knowledge index at \(indexPath): build it with `assistant index --kb FILE`")
        }
        let folder = try modelOptions.modelFolder()
        let headFolder = (classifier ?? ModelLocator.activeClassifierFolder(home: location.home)).map { URL(fileURLWithPath: $0) }
        let head = try headFolder.map { try IntentClassifier.load(folder: $0) }
        // A fine-tuned classifier brings its own encoder; retrieval keeps the shared one the index was built with.
        var ownEncoder: (encoder: SentenceEncoder, version: String)?
        if let head, let headFolder, head.encoder != nil {
            let encoderFolder = try head.encoderFolder(classifierFolder: headFolder) { folder }
            ownEncoder = (try SentenceEncoder(folder: encoderFolder), ModelLocator.version(of: encoderFolder))
        }
        let index = try KnowledgeIndex(path: indexPath)
        let assistantStore = try AssistantStore(location: location)
        let answerer = try Answerer(index: index, encoder: SentenceEncoder(folder: folder), store: assistantStore,
                                    modelVersion: ModelLocator.version(of: folder), classifier: head,
                                    classifierEncoder: ownEncoder)
        return (answerer, index, assistantStore)
    }
}
