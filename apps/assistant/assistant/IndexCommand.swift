import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build or update the knowledge index (FTS5 BM25 + sentence embeddings) from a JSONL knowledge base.",
        discussion: "Incremental: unchanged articles keep their embeddings; removed ones leave the index. Format: docs/KNOWLEDGE-BASE.md.")

    @Option(help: ArgumentHelp("Knowledge base, JSONL (one article per line).", valueName: "file")) var kb: String
    @OptionGroup var knowledge: KnowledgeOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        threadOptions.apply()
        let articles = try KnowledgeBaseFile.load(kb)
        let folder = try modelOptions.modelFolder()
        let encoder = try SentenceEncoder(folder: folder)
        let path = knowledge.path(home: store.location(product: AssistantProduct.name))
        let index = try KnowledgeIndex(path: path)
        let terminal = standardErrorIsTerminal
        let report = try index.build(articles, encoder: encoder, modelID: ModelLocator.version(of: folder)) { done, total in
            if terminal { FileHandle.standardError.write(Data("\rembedding \(done)/\(total)".utf8)) }
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        print("\(path): \(articles.count) articles (\(report.added) added, \(report.updated) updated, \(report.unchanged) unchanged, \(report.removed) removed), version \(report.version)")
    }
}
