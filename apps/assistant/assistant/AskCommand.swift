import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime

struct AskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer one ticket from the knowledge base, or escalate it with a reason.",
        discussion: """
            Personal data (e-mail, phone, card, IBAN, IP) is masked before retrieval; the ticket is stored sealed \
            in the store of --home (run `assistant keys init` first) and the decision is audited with the model \
            and knowledge-base versions. Reasons: out_of_scope, low_confidence, ambiguous, no_source, pii_policy.
            """)

    @OptionGroup var knowledge: KnowledgeOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions
    @Option(help: ArgumentHelp("Intent classifier folder (default: data/classifier when it exists).", valueName: "dir"))
    var classifier: String?
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The ticket text.") var text: String

    func run() throws {
        threadOptions.apply()
        let location = store.location(product: AssistantProduct.name)
        let indexPath = knowledge.path(home: location)
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw ValidationError("no knowledge index at \(indexPath): build it with `assistant index --kb FILE`")
        }
        let folder = try modelOptions.modelFolder()
        let head = try (classifier ?? ModelLocator.defaultClassifierFolder()).map { try IntentClassifier.load(folder: URL(fileURLWithPath: $0)) }
        let answerer = try Answerer(index: KnowledgeIndex(path: indexPath), encoder: SentenceEncoder(folder: folder),
                                    store: AssistantStore(location: location), modelVersion: ModelLocator.version(of: folder),
                                    classifier: head)
        let result = try answerer.answer(text, actor: commandActor)
        if json {
            print(String(decoding: try JSONEncoder.sortedKeys.encode(result), as: UTF8.self))
            return
        }
        switch result.decision {
        case .answer:
            print("ANSWER (\(result.articleID ?? ""): \(result.title ?? ""))\n\(result.answer ?? "")")
        case .escalate:
            print("ESCALATE: \(result.reason?.rawValue ?? "")")
        }
        print("intents: " + result.intents.map { "\($0.intent) \(String(format: "%.2f", $0.score))" }.joined(separator: ", "))
        for s in result.sources {
            print("source \(s.articleID): bm25 rank \(s.bm25Rank.map(String.init) ?? "-"), dense rank \(s.denseRank.map(String.init) ?? "-"), cosine \(String(format: "%.3f", s.cosine)), rrf \(String(format: "%.4f", s.fusedScore))")
        }
        if !result.redacted.isEmpty { print("masked: \(result.redacted.joined(separator: ", "))") }
        print("ticket \(result.ticketID ?? ""), model \(result.modelVersion), kb \(result.kbVersion)")
    }
}

extension JSONEncoder {
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
