import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation
import ModelRuntime
import SuiteFoundation

struct FitPolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit-policy",
        abstract: "Choose the answer thresholds (AnswerPolicy) on labelled tickets the knowledge base never indexed.",
        discussion: """
            Tickets are labelled JSONL ({"text","intent"}), from one or more files. A ticket whose intent some article \
            carries is in scope, and answering it with such an article is right; a ticket labelled --oos-label has no \
            right answer; other tickets are skipped (counted in the output). The command sweeps the \
            cosine thresholds and keeps the best utility per ticket: +1 for a right answer, −--wrong-cost for a wrong \
            one, 0 for an escalation. \
            Nothing is stored. The recorded run: docs/KNOWLEDGE-BASE.md.
            """)

    @Option(help: ArgumentHelp("Labelled tickets (JSONL); repeat for several files.", valueName: "file")) var examples: [String]
    @Option(name: .customLong("oos-label"), help: "The out-of-scope label.") var oosLabel = "oos"
    @Option(name: .customLong("wrong-cost"), help: "What a wrong answer costs, in right answers (an escalation costs 0).")
    var wrongCost = 4.0
    @Option(help: ArgumentHelp("Also fit the threshold used with this intent classifier folder.", valueName: "dir"))
    var classifier: String?
    @Flag(help: "Print the whole sweep as JSON.") var json = false
    @OptionGroup var knowledge: KnowledgeOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if !(wrongCost >= 0) { throw ValidationError("--wrong-cost must not be negative") }
        if examples.isEmpty { throw ValidationError("give at least one --examples file") }
    }

    func run() throws {
        threadOptions.apply()
        let indexPath = knowledge.path(home: store.location(product: AssistantProduct.name))
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw ValidationError("no knowledge index at \(indexPath): build it with `assistant index --kb FILE`")
        }
        let tickets = try examples.flatMap(LabelledTextFile.load)
        let folder = try modelOptions.modelFolder()
        var head: (IntentClassifier, SentenceEncoder?)?
        if let classifier {
            let headFolder = URL(fileURLWithPath: classifier)
            let loaded = try IntentClassifier.load(folder: headFolder)
            head = (loaded, try loaded.encoder.map { _ in
                try SentenceEncoder(folder: loaded.encoderFolder(classifierFolder: headFolder) { folder })
            })
        }
        let fit: AnswerPolicyFit
        do {
            fit = try AnswerPolicyFit(index: KnowledgeIndex(path: indexPath), encoder: SentenceEncoder(folder: folder),
                                      tickets: tickets, outOfScopeLabel: oosLabel, wrongCost: wrongCost,
                                      classifier: head)
        } catch ClassifierError.invalidExamples(let detail) {
            throw ValidationError(detail)
        }
        if json {
            print(try JSONOutput.string(fit))
            return
        }
        let c = fit.chosen
        print(String(format: "%d tickets (%d in scope, %d skipped): minimum_source_cosine %.2f, answer_cosine %.2f, ambiguity_margin %.2f → "
                     + "%.1f%% answered right, %.1f%% of answers wrong, %.1f%% escalated",
                     fit.tickets, fit.inScope, fit.skipped, c.minimumSourceCosine, c.answerCosine, c.ambiguityMargin,
                     c.right * 100, c.wrongShareOfAnswers * 100, c.escalated * 100))
        if let k = fit.classifierChosen {
            print(String(format: "with the classifier: agreed_lead %.2f, agreed_phrasing_cosine %.2f → %.1f%% answered right, "
                         + "%.1f%% of answers wrong, %.1f%% escalated",
                         k.agreedLead, k.agreedPhrasingCosine, k.right * 100, k.wrongShareOfAnswers * 100, k.escalated * 100))
        }
    }
}
