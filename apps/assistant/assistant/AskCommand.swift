import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime
import SuiteFoundation

struct AskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer one ticket from the knowledge base, or escalate it with a reason.",
        discussion: """
            Personal data (e-mail, phone, card, IBAN, IP) is masked before retrieval; the ticket is stored sealed \
            in the store of --home (run `assistant keys init` first) and the decision is audited with the model \
            and knowledge-base versions. Reasons: out_of_scope, low_confidence, ambiguous, no_source, pii_policy, multiple_questions, unsupported_language.
            """)

    @OptionGroup var options: AnswererOptions
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The ticket text.") var text: String

    func run() throws {
        let answerer = try options.makeAnswerer().answerer
        let result = try answerer.answer(text, actor: commandActor)
        if json {
            print(try JSONOutput.string(result))
            return
        }
        switch result.decision {
        case .answer:
            print("ANSWER (\(result.articleID ?? ""): \(result.title ?? ""))\n\(result.answer ?? "")")
        case .escalate:
            print("ESCALATE: \(result.reason?.rawValue ?? "")" + (result.reason == .unsupportedLanguage ? " (\(result.language ?? "?"))" : ""))
        }
        print("intents: " + result.intents.map { "\($0.intent) \(String(format: "%.2f", $0.score))" }.joined(separator: ", "))
        for s in result.sources {
            print("source \(s.articleID): bm25 rank \(s.bm25Rank.map(String.init) ?? "-"), dense rank \(s.denseRank.map(String.init) ?? "-"), cosine \(String(format: "%.3f", s.cosine)), phrasing \(s.phrasingCosine.map { String(format: "%.3f", $0) } ?? "-"), fused \(String(format: "%.3f", s.fusedScore))")
        }
        if !result.redacted.isEmpty { print("masked: \(result.redacted.joined(separator: ", "))") }
        if let reading = result.reading { print("read: \(reading.summary)") }
        print("ticket \(result.ticketID ?? ""), model \(result.modelVersion), kb \(result.kbVersion)")
    }
}
