import ArgumentParser
import AssistantCore
import Foundation
import ModelRuntime
import RecordStore
import Vault

/// Recall@1, recall@5, MRR@10 and nDCG@10 of ranked article ids against each query's relevant
/// ids (any of them counts as a hit; nDCG uses binary gains over all relevant ids).
struct RankingQuality {
    private var queries = 0, empty = 0, hits1 = 0, hits5 = 0
    private var reciprocalRanks = 0.0, gains = 0.0

    mutating func add(_ ranked: [String], relevant: Set<String>) {
        queries += 1
        if ranked.isEmpty { empty += 1 }
        let top = ranked.prefix(10)
        if let rank = top.firstIndex(where: relevant.contains).map({ $0 - top.startIndex + 1 }) {
            if rank == 1 { hits1 += 1 }
            if rank <= 5 { hits5 += 1 }
            reciprocalRanks += 1 / Double(rank)
        }
        let dcg = top.enumerated().reduce(0.0) { $0 + (relevant.contains($1.element) ? 1 / log2(Double($1.offset + 2)) : 0) }
        let ideal = (0..<min(relevant.count, 10)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
        gains += ideal > 0 ? dcg / ideal : 0
    }

    var summary: [String: Any] {
        let n = Double(max(queries, 1))
        return ["queries": queries, "recall_at_1": Double(hits1) / n, "recall_at_5": Double(hits5) / n,
                "mrr_at_10": reciprocalRanks / n, "ndcg_at_10": gains / n, "queries_without_results": empty]
    }
}

struct AssistantKBEvalBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistant-kb-eval",
        abstract: "Decisions and retrieval quality on the demo knowledge base's hand-written evaluation set (data/eval), per split and category.",
        discussion: """
            Builds the demo home as tools/demo.sh does (a new store, `assistant index` of --kb with --model, the \
            intent classifier --classifier) in a temporary folder and answers every ticket through `Answerer.answer`, \
            the path of `assistant ask`. A decision is right when it answers with an expected article, wrong when it \
            answers with another article or answers an out-of-scope ticket. Retrieval (BM25, dense, RRF and the fused \
            ranker of `ask`) is ranked on the text `ask` reads (personal data masked, quoted history, signature and \
            references removed), for the answerable tickets of each split. Typo robustness: the report split again with TypoNoise(--typo-seed); a decision \
            flips when the decision or the article differs from the clean ticket's.
            """)
    @Option(help: "Sentence-transformers model folder.") var model = "models/all-MiniLM-L6-v2"
    @Option(help: "Knowledge base JSONL.") var kb = "data/kb/lumen-help-center.jsonl"
    @Option(help: "Intent classifier folder.") var classifier = "data/classifier"
    @Option(help: "Evaluation set JSONL (data/eval/README.md).") var tickets = "data/eval/demo-kb-tickets.jsonl"
    @Option(help: "Seed of the typo generator.") var typoSeed: UInt64 = 17
    @Option var threads = 1
    @Option(help: "Also write one JSON line per ticket (id, split, category, expected, the clean decision as `ask --json` prints it) to this file, for error analysis.")
    var rows: String?

    func run() throws {
        ComputeThreads.set(threads)
        let set = try EvaluationTicketFile.load(tickets)
        let articles = try KnowledgeBaseFile.load(kb)
        try EvaluationTicketFile.check(set, against: articles)
        let scratch = try ScratchFolder("kb-eval")
        defer { scratch.remove() }
        let (answerer, index, encoder) = try demoAnswerer(articles, home: scratch)

        var decisions: [String: [String: DecisionTally]] = [:]
        var clean: [String: AnswerResult] = [:]
        var rowLines: [String] = []
        let (_, answerSeconds) = try timed {
            for ticket in set {
                let result = try answerer.answer(ticket.text, actor: "suite-bench")
                let outcome = TicketOutcome(ticket, result)
                decisions[ticket.split.rawValue, default: [:]]["all", default: DecisionTally()].add(outcome)
                decisions[ticket.split.rawValue, default: [:]][ticket.category.rawValue, default: DecisionTally()].add(outcome)
                clean[ticket.id] = result
                if rows != nil { rowLines.append(try ticketRow(ticket, result)) }
            }
        }

        if let rows { try (rowLines.joined(separator: "\n") + "\n").write(toFile: rows, atomically: true, encoding: .utf8) }

        let noise = TypoNoise(seed: typoSeed)
        var noisy = DecisionTally(), flips = 0, changedTexts = 0
        let report = set.filter { $0.split == .report }
        for ticket in report {
            let text = noise.apply(ticket.text, key: ticket.id)
            if text != ticket.text { changedTexts += 1 }
            let result = try answerer.answer(text, actor: "suite-bench")
            noisy.add(TicketOutcome(ticket, result))
            if let before = clean[ticket.id], before.decision != result.decision || before.articleID != result.articleID { flips += 1 }
        }

        let sweep = try AgreementSweep(tickets: set.filter { $0.split == .tune }, answerer: answerer)
        let retriever = try HybridRetriever(index: index, encoder: encoder)
        var retrieval: [String: Any] = [:]
        for split in EvaluationTicket.Split.allCases {
            let answerable = set.filter { $0.split == split && $0.answerable }
            let run = try RankerRun(queries: answerable.map { answerer.readable($0.text) }, index: index,
                                    retriever: retriever, encoder: encoder, depth: 10)
            retrieval[split.rawValue] = run.quality(relevant: answerable.map { Set($0.expected) })
        }

        try printJSON([
            "tickets": set.count, "articles": articles.count, "threads": threads, "fusion": fusionJSON(retriever.fusion),
            "decisions": decisions.mapValues { $0.mapValues(\.summary) },
            "typo_robustness": ["split": "report", "seed": typoSeed, "tickets": report.count, "texts_changed": changedTexts,
                                "flipped": flips, "flip_rate": Double(flips) / Double(max(report.count, 1)),
                                "decisions": noisy.summary],
            "policy_fit": ["split": "tune", "tickets": sweep.tickets, "maximum_wrong_share": sweep.maximumWrongShare,
                           "agreed": try jsonObject(sweep.agreed), "new_intent": try jsonObject(sweep.newIntent),
                           "defaults_match": sweep.policy == AnswerPolicy()],
            "retrieval": retrieval, "answer_seconds_per_ticket": answerSeconds / Double(set.count),
            "data": tickets, "kb": kb, "classifier": classifier])
    }

    func jsonObject(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
    }

    /// One `--rows` line: the ticket's labels beside its decision.
    func ticketRow(_ ticket: EvaluationTicket, _ result: AnswerResult) throws -> String {
        let decision = try jsonObject(result)
        let row: [String: Any] = ["id": ticket.id, "split": ticket.split.rawValue, "category": ticket.category.rawValue,
                                  "expected": ticket.expected, "result": decision]
        return String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The demo home: a new store, the knowledge base indexed with the model, and the intent
    /// classifier with its own encoder when it was fine-tuned (as `assistant ask` opens them).
    func demoAnswerer(_ articles: [Article], home: ScratchFolder) throws -> (Answerer, KnowledgeIndex, SentenceEncoder) {
        let location = StoreLocation(home: home.url, environment: ["XDG_STATE_HOME": home.path("state")])
        _ = try KeyringFile.create(at: location.keyFile)
        let store = try AssistantStore(location: location, environment: [:])
        let folder = URL(fileURLWithPath: model)
        let encoder = try SentenceEncoder(folder: folder)
        let modelID = ModelLocator.version(of: folder)
        let index = try KnowledgeIndex(path: home.path("kb.sqlite"))
        _ = try index.build(articles, encoder: encoder, modelID: modelID)
        let headFolder = URL(fileURLWithPath: classifier)
        let head = try IntentClassifier.load(folder: headFolder)
        var ownEncoder: (encoder: SentenceEncoder, version: String)?
        if head.encoder != nil {
            let encoderFolder = try head.encoderFolder(classifierFolder: headFolder) { folder }
            ownEncoder = (try SentenceEncoder(folder: encoderFolder), ModelLocator.version(of: encoderFolder))
        }
        let answerer = try Answerer(index: index, encoder: encoder, store: store, modelVersion: modelID,
                                    classifier: head, classifierEncoder: ownEncoder)
        return (answerer, index, encoder)
    }
}
