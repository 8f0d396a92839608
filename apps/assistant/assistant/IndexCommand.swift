import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime
import RecordStore

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build or update the knowledge index (FTS5 BM25 + sentence embeddings) from a JSONL knowledge base.",
        discussion: """
            Incremental: unchanged articles keep their embeddings; removed ones leave the index. Format: \
            docs/KNOWLEDGE-BASE.md. Articles are answerable at once: intents the active classifier does not know are \
            answered by retrieval alone, and `index` names them with the command that teaches them to the classifier. \
            --train does it: it trains the intent classifier (frozen encoder, seconds) on the articles' examples into \
            <home>/classifier, which `ask`, `batch` and `serve` then use.
            """)

    @Option(help: ArgumentHelp("Knowledge base, JSONL (one article per line).", valueName: "file")) var kb: String
    @Option(help: ArgumentHelp("The intent classifier to check the articles' intents against (default: the one `ask` uses).",
                               valueName: "dir"))
    var classifier: String?
    @Flag(help: "Also train the intent classifier on the articles' examples into <home>/classifier.") var train = false
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
        let home = store.location(product: AssistantProduct.name).home
        if train {
            try trainClassifier(articles, encoderFolder: folder, into: ModelLocator.homeClassifierFolder(home: home))
        } else if let active = classifier ?? ModelLocator.activeClassifierFolder(home: home) {
            try reportUnknownIntents(articles, classifier: active)
        }
    }

    /// Names the intents of `articles` the classifier in `folder` does not know, and the command that teaches them.
    private func reportUnknownIntents(_ articles: [Article], classifier folder: String) throws {
        let known = Set(try IntentClassifier.load(folder: URL(fileURLWithPath: folder)).labels)
        var unknown: [String: Int] = [:]
        for article in articles where known.isDisjoint(with: article.intents) {
            for intent in article.intents { unknown[intent, default: 0] += 1 }
        }
        guard !unknown.isEmpty else { return }
        let list = unknown.keys.sorted().map { "\($0) (\(unknown[$0]!) article\(unknown[$0]! == 1 ? "" : "s"))" }.joined(separator: ", ")
        let command = (["assistant"] + CommandLine.arguments.dropFirst() + ["--train"]).joined(separator: " ")
        printError("assistant: note: the intent classifier \(folder) does not know \(list); `ask`, `batch` and `serve` "
                   + "answer those articles by retrieval alone until it learns them. Teach it in seconds: \(command)")
    }

    /// Trains the frozen-encoder intent classifier on the articles' examples (as `assistant train --kb`).
    private func trainClassifier(_ articles: [Article], encoderFolder: URL, into output: URL) throws {
        let started = Date()
        let request = IntentTrainingPipeline.Request(
            train: LabelledTextFile.examples(from: articles), validation: nil, encoderFolder: encoderFolder, output: output,
            options: IntentTrainer.Options(), fineTuning: nil, trainingSource: kb, validationSource: nil,
            command: (["assistant"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        let outcome = try IntentTrainingPipeline(request).run { _ in }
        print(String(format: "trained %d intents in %.0f s: validation accuracy %.1f%% → %@", outcome.classifier.labels.count,
                     Date().timeIntervalSince(started), outcome.report.validationAccuracy * 100, output.path))
    }
}
