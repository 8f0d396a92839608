import ArgumentParser
import AssistantCore
import Foundation
import ModelRuntime

/// Chooses `RetrievalFusion`'s weights on tuning data only: the demo-KB evaluation set's `tune`
/// split and the `dev` half of the Banking77 retrieval set (`Banking77RetrievalSet`). Held-out
/// queries are never ranked here, so nothing it prints can have looked at them.
struct AssistantRetrievalTuneBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistant-retrieval-tune",
        abstract: "Grid search of the fused ranker's weights and normalisation on the tuning data only (demo-KB `tune`, Banking77 `dev`).",
        discussion: """
            Every weighting of the dense, phrasing and BM25 signals on the simplex (step --step) is scored, for \
            min-max and z-score normalisation, by the mean over the two tuning sets of (recall@1 + MRR@10) / 2; ties \
            go to the earlier weighting of the grid. Prints the best weightings, the one in use, and BM25, dense \
            and RRF on the same tuning data.
            """)
    @OptionGroup var options: DataOptions
    @Option(help: "Knowledge base JSONL.") var kb = "data/kb/lumen-help-center.jsonl"
    @Option(help: "Intent classifier folder (to read tickets as `ask` does).") var classifier = "data/classifier"
    @Option(help: "Evaluation set JSONL (data/eval/README.md).") var tickets = "data/eval/demo-kb-tickets.jsonl"
    @Option(help: "Training texts per Banking77 article used as its examples.") var examples = 10
    @Option(help: "Grid step of the weights.") var step = 0.05
    @Option(help: "Weightings printed.") var top = 10
    @Option var threads = 1

    func run() throws {
        ComputeThreads.set(threads)
        let scratch = try ScratchFolder("retrieval-tune")
        defer { scratch.remove() }
        // Demo KB, `tune` split only.
        let eval = try AssistantKBEvalBench.parse(["--model", options.model, "--kb", kb, "--classifier", classifier,
                                                    "--tickets", tickets, "--threads", String(threads)])
        let articles = try KnowledgeBaseFile.load(kb)
        let demoHome = try ScratchFolder("retrieval-tune-demo")
        defer { demoHome.remove() }
        let (answerer, demoIndex, demoEncoder) = try eval.demoAnswerer(articles, home: demoHome)
        let tune = try EvaluationTicketFile.load(tickets).filter { $0.split == .tune && $0.answerable }
        let demoRetriever = try HybridRetriever(index: demoIndex, encoder: demoEncoder)
        let demoRun = try RankerRun(queries: tune.map { answerer.readable($0.text) }, index: demoIndex,
                                    retriever: demoRetriever, encoder: demoEncoder, depth: 10)
        // Banking77, `dev` half only.
        let banking = try Banking77RetrievalSet(options: options, examples: examples, scratch: scratch)
        let bankingRetriever = try HybridRetriever(index: banking.index, encoder: banking.encoder)
        let bankingRun = try RankerRun(queries: banking.dev.map(\.text), index: banking.index, retriever: bankingRetriever,
                                       encoder: banking.encoder, depth: 10)
        let sets: [(name: String, run: RankerRun, relevant: [Set<String>])] = [
            ("demo_kb_tune", demoRun, tune.map { Set($0.expected) }),
            ("banking77_dev", bankingRun, banking.dev.map { [kbID($0.intent)] }),
        ]

        func measure(_ fusion: RetrievalFusion) -> (objective: Double, figures: [String: Any]) {
            var objective = 0.0, figures: [String: Any] = [:]
            for set in sets {
                var quality = RankingQuality()
                for (found, ids) in zip(set.run.candidates, set.relevant) {
                    quality.add(fusion.ranked(found).prefix(10).map(\.id), relevant: ids)
                }
                let summary = quality.summary
                objective += ((summary["recall_at_1"] as! Double) + (summary["mrr_at_10"] as! Double)) / 2 / Double(sets.count)
                figures[set.name] = ["recall_at_1": summary["recall_at_1"]!, "mrr_at_10": summary["mrr_at_10"]!]
            }
            return (objective, figures)
        }
        let grid = RetrievalFusion.grid(step: step)
        let scored = grid.enumerated().map { ($0.offset, $0.element, measure($0.element)) }
            .sorted { $0.2.objective != $1.2.objective ? $0.2.objective > $1.2.objective : $0.0 < $1.0 }
        var baselines: [String: Any] = [:]
        for set in sets { baselines[set.name] = set.run.quality(relevant: set.relevant) }
        let current = measure(demoRetriever.fusion)
        try printJSON([
            "grid_size": grid.count, "step": step,
            "best": scored.prefix(top).map { ["fusion": fusionJSON($0.1), "objective": $0.2.objective, "tuning": $0.2.figures] },
            "in_use": ["fusion": fusionJSON(demoRetriever.fusion), "objective": current.objective, "tuning": current.figures],
            "tuning_baselines": baselines,
            "queries": ["demo_kb_tune": tune.count, "banking77_dev": banking.dev.count],
            "data": options.data, "tickets": tickets, "kb": kb])
    }
}
