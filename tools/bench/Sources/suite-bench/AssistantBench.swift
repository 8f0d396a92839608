import ArgumentParser
import AssistantCore
import Foundation
import ModelRuntime

// The assistant's benchmarks for `make bench` (section `assistant` of tools/bench/run.sh):
// `assistant-index` and `assistant-retrieval` here, in process on AssistantCore's own types, and
// `assistant-kb-eval` (AssistantKBEvalBench.swift) on the demo knowledge base and data/eval;
// `assistant-serve` and `assistant-batch` (AssistantServiceBench.swift) drive the release
// `assistant` binary. The other knowledge bases are derived from the shared Banking77 data into a
// temporary folder, never into the repo.

/// A benchmark that cannot run (missing input, a product command that failed, a wrong result).
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh temporary folder, removed by `remove()`.
struct ScratchFolder {
    let url: URL

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("suite-bench-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The value of `body` and the seconds it took.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// Nearest-rank percentile (p in 0...100) of unsorted values.
func percentile(_ values: [Double], _ p: Double) -> Double {
    precondition(!values.isEmpty, "percentile of no values")
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}

/// Median, p90, p99 and max of latencies given in seconds, as milliseconds.
func latencySummary(_ seconds: [Double]) -> [String: Double] {
    let ms = seconds.map { $0 * 1000 }
    return ["p50_ms": percentile(ms, 50), "p90_ms": percentile(ms, 90), "p99_ms": percentile(ms, 99),
            "max_ms": ms.max() ?? 0, "mean_ms": ms.reduce(0, +) / Double(ms.count)]
}

/// The shared labelled data, or a clear error naming the file when it is absent.
func labelledData(_ path: String) throws -> [LabelledText] {
    guard FileManager.default.fileExists(atPath: path) else {
        throw BenchFailure("\(path): labelled data not found (the shared Banking77 data, outside the repo)")
    }
    return try LabelledTextFile.load(path)
}

/// Labelled texts grouped by intent (intents sorted, texts in file order).
func byIntent(_ examples: [LabelledText]) -> [(intent: String, texts: [String])] {
    Dictionary(grouping: examples, by: \.intent).map { ($0.key, $0.value.map(\.text)) }.sorted { $0.intent < $1.intent }
}

/// Writes articles as a JSONL knowledge base (docs/KNOWLEDGE-BASE.md) and reads it back through
/// the product's validating loader, so the benchmark indexes exactly what `assistant index` would.
func writeKnowledgeBase(_ articles: [Article], to path: String) throws -> [Article] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = Data()
    for article in articles { data += try encoder.encode(article) + Data("\n".utf8) }
    try data.write(to: URL(fileURLWithPath: path))
    return try KnowledgeBaseFile.load(path)
}

/// "card_arrival" → "Card arrival".
func articleTitle(intent: String) -> String {
    let words = kbIntent(intent).split(separator: "_").joined(separator: " ")
    return words.prefix(1).uppercased() + words.dropFirst()
}

/// The article id and snake_case intent label for a data set's intent (Banking77 has labels like
/// "Refund_not_showing_up" and "reverted_card_payment?").
func kbID(_ intent: String) -> String { "kb-" + kbIntent(intent).replacingOccurrences(of: "_", with: "-") }
func kbIntent(_ intent: String) -> String { String(intent.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) }

/// Texts usable as article examples: trimmed, non-empty, within the loader's length limit, unique.
func exampleTexts(_ texts: [String]) -> [String] {
    var seen = Set<String>()
    return texts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .filter { !$0.isEmpty && $0.count <= KnowledgeBaseFile.maxExample && seen.insert($0).inserted }
}

/// Per-query latencies (seconds) and rankings of the rankers on one index: BM25 alone
/// (`KnowledgeIndex.keywordSearch`), dense alone (query embedding + `HybridRetriever.denseRanking`)
/// and fused (query embedding + `HybridRetriever.retrieve`, the ranker of `assistant ask`, which
/// gathers the candidates and fuses their scores); and, untimed, reciprocal-rank fusion (k = 60) of
/// the same candidates, the ranker `ask` used before. `candidates` keeps each query's signals so
/// that other weightings can be scored without embedding again (`assistant-retrieval-tune`).
struct RankerRun {
    var bm25: [Double] = [], dense: [Double] = [], fused: [Double] = [], embed: [Double] = []
    var ranked: [(bm25: [String], dense: [String], rrf: [String], fused: [String])] = []
    var candidates: [[RetrievalFusion.Candidate]] = []

    init(queries: [String], index: KnowledgeIndex, retriever: HybridRetriever, encoder: SentenceEncoder, depth: Int) throws {
        for query in queries {
            var embedding: [Float] = [], keywordIDs: [String] = [], denseIDs: [String] = [], fusedIDs: [String] = []
            let e = try seconds { embedding = try encoder.embed([query])[0] }
            bm25.append(try seconds { keywordIDs = try index.keywordSearch(query, limit: depth).map(\.id) })
            dense.append(e + seconds { denseIDs = retriever.denseRanking(embedding).prefix(depth).map(\.id) })
            fused.append(e + (try seconds { fusedIDs = try retriever.retrieve(query, embedding: embedding, limit: depth).map(\.articleID) }))
            embed.append(e)
            let found = try retriever.candidates(query, embedding: embedding)
            candidates.append(found)
            ranked.append((keywordIDs, denseIDs, RetrievalFusion.reciprocalRank(found).prefix(depth).map(\.id), fusedIDs))
        }
    }

    func latencies() -> [String: Any] {
        ["bm25": latencySummary(bm25), "dense": latencySummary(dense), "fused": latencySummary(fused),
         "query_embedding": latencySummary(embed)]
    }

    /// Recall@1/5, MRR@10 and nDCG@10 of each ranker (`relevant[i]` for query i), and of `extra`
    /// weightings under their names.
    func quality(relevant: [Set<String>], extra: [String: RetrievalFusion] = [:]) -> [String: Any] {
        var result: [String: Any] = [:]
        for (name, lists) in [("bm25", ranked.map(\.bm25)), ("dense", ranked.map(\.dense)), ("rrf", ranked.map(\.rrf)),
                              ("fused", ranked.map(\.fused))] {
            var measured = RankingQuality()
            for (list, ids) in zip(lists, relevant) { measured.add(list, relevant: ids) }
            result[name] = measured.summary
        }
        for (name, fusion) in extra {
            var measured = RankingQuality()
            for (found, ids) in zip(candidates, relevant) { measured.add(fusion.ranked(found).prefix(10).map(\.id), relevant: ids) }
            result[name] = measured.summary
        }
        return result
    }
}

/// The labelled Banking77 retrieval set: one article per intent (id kb-<intent>, title from the
/// intent name, a templated answer, and as examples the first `examples` texts of the intent's
/// training part of `HeldOutSplit`), indexed in `scratch`; the queries are HeldOutSplit's
/// validation texts, halved per intent in file order: the 1st, 3rd, 5th, ... of each intent form
/// `dev` (which may tune the ranker), the 2nd, 4th, ... `heldOut` (only reported).
struct Banking77RetrievalSet {
    let articles: [Article]
    let index: KnowledgeIndex
    let encoder: SentenceEncoder
    let dev: [LabelledText]
    let heldOut: [LabelledText]

    init(options: DataOptions, examples: Int, scratch: ScratchFolder) throws {
        let split = HeldOutSplit(try labelledData(options.data))
        let grouped = byIntent(split.train)
        articles = try writeKnowledgeBase(grouped.map { group in
            Article(id: kbID(group.intent), title: articleTitle(intent: group.intent),
                    answer: "This help-centre article is about \(articleTitle(intent: group.intent).lowercased()). "
                        + "Open the app, go to Help and follow the steps shown for your case.",
                    intents: [kbIntent(group.intent)],
                    examples: Array(exampleTexts(group.texts).prefix(examples)))
        }, to: scratch.path("kb.jsonl"))
        let folder = URL(fileURLWithPath: options.model)
        encoder = try SentenceEncoder(folder: folder)
        index = try KnowledgeIndex(path: scratch.path("kb.sqlite"))
        _ = try index.build(articles, encoder: encoder, modelID: ModelLocator.version(of: folder))
        var seen: [String: Int] = [:], dev: [LabelledText] = [], heldOut: [LabelledText] = []
        for query in split.validation {
            seen[query.intent, default: 0] += 1
            if seen[query.intent]! % 2 == 1 { dev.append(query) } else { heldOut.append(query) }
        }
        self.dev = dev
        self.heldOut = heldOut
    }
}

struct AssistantRetrievalBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistant-retrieval",
        abstract: "Recall@1/5, MRR@10, nDCG@10 and query latency of fused (what `ask` uses), RRF, BM25-only and dense-only retrieval on a labelled set from Banking77, on its dev and held-out halves.",
        discussion: """
            The knowledge base has one article per intent (id kb-<intent>, title from the intent name, a templated \
            answer, and as examples the first --examples texts of the intent's training part); the queries are the \
            held-out texts (HeldOutSplit: every 7th text of each intent), each relevant to its intent's article only, \
            halved per intent: `dev` (1st, 3rd, ... of each intent) may tune the ranker (assistant-retrieval-tune), \
            `held_out` (2nd, 4th, ...) is only reported.
            """)
    @OptionGroup var options: DataOptions
    @Option(help: "Training texts per article used as its examples (the loader accepts up to 20).") var examples = 10
    @Option var threads = 1
    @Option(help: "Untimed queries before the timed pass.") var warmup = 50

    func validate() throws {
        if !(1...KnowledgeBaseFile.maxExamples).contains(examples) { throw ValidationError("--examples must be 1...\(KnowledgeBaseFile.maxExamples)") }
    }

    func run() throws {
        ComputeThreads.set(threads)
        let scratch = try ScratchFolder("retrieval")
        defer { scratch.remove() }
        let set = try Banking77RetrievalSet(options: options, examples: examples, scratch: scratch)
        let retriever = try HybridRetriever(index: set.index, encoder: set.encoder)
        _ = try RankerRun(queries: Array(set.dev.prefix(warmup).map(\.text)), index: set.index, retriever: retriever,
                          encoder: set.encoder, depth: 10)
        var quality: [String: Any] = [:], latency: [String: Any] = [:]
        for (name, queries) in [("dev", set.dev), ("held_out", set.heldOut)] {
            let run = try RankerRun(queries: queries.map(\.text), index: set.index, retriever: retriever, encoder: set.encoder, depth: 10)
            quality[name] = run.quality(relevant: queries.map { [kbID($0.intent)] })
            latency[name] = run.latencies()
        }
        try printJSON(["articles": set.articles.count, "examples_per_article": examples,
                       "queries": ["dev": set.dev.count, "held_out": set.heldOut.count],
                       "threads": threads, "fusion": fusionJSON(retriever.fusion), "depth": retriever.depth,
                       "quality": quality, "latency": latency, "data": options.data])
    }
}

/// A weighting as JSON.
func fusionJSON(_ fusion: RetrievalFusion) -> [String: Any] {
    ["dense_weight": fusion.denseWeight, "phrasing_weight": fusion.phrasingWeight, "bm25_weight": fusion.bm25Weight,
     "normalisation": fusion.normalisation.rawValue]
}

struct AssistantIndexBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistant-index",
        abstract: "Index build time for a synthetic knowledge base (full, then with a share of articles changed), and query latency at that size.",
        discussion: """
            Article i serves intent i mod 77 of the data; its title is the intent's name with the article number, \
            its examples 4 texts of that intent and its answer 2 more, drawn with a seeded generator (so every run \
            indexes the same knowledge base). The file is written to a temporary folder and read back with the \
            product's loader; `KnowledgeIndex.build` then does what `assistant index` does.
            """)
    @OptionGroup var options: DataOptions
    @Option var articles = 10_000
    @Option(help: "Percent of the articles changed before the incremental re-index.") var changedPercent = 1.0
    @Option var threads = ComputeThreads.available
    @Option var seed: UInt64 = 77
    @Option(help: "Queries timed against the large index.") var queries = 300

    func validate() throws {
        if articles < 1 || !(0...100).contains(changedPercent) || queries < 1 {
            throw ValidationError("--articles and --queries must be positive, --changed-percent 0...100")
        }
    }

    func run() throws {
        ComputeThreads.set(threads)
        let grouped = byIntent(try labelledData(options.data)).map { ($0.intent, exampleTexts($0.texts)) }
        if let thin = grouped.first(where: { $0.1.count < 6 }) {
            throw BenchFailure("\(options.data): intent \(thin.0) has \(thin.1.count) usable texts; the synthetic articles need 6")
        }
        var random = SeededGenerator(seed: seed, stream: "assistant-index")
        func draw(_ texts: [String], _ n: Int) -> [String] { Array(texts.shuffled(using: &random).prefix(n)) }
        var kb = (0..<articles).map { i -> Article in
            let (intent, texts) = grouped[i % grouped.count]
            let answer = draw(texts, 2).joined(separator: " ")
            return Article(id: String(format: "kb-synthetic-%05d", i), title: "\(articleTitle(intent: intent)) (article \(i))",
                           answer: "Customers ask: \(answer) Open the app, go to Help and follow the steps for your case.",
                           intents: [kbIntent(intent)], examples: draw(texts, 4))
        }
        let scratch = try ScratchFolder("index")
        defer { scratch.remove() }
        var loaded: [Article] = []
        let writeLoad = try seconds { loaded = try writeKnowledgeBase(kb, to: scratch.path("kb.jsonl")) }
        let folder = URL(fileURLWithPath: options.model)
        let encoder = try SentenceEncoder(folder: folder)
        let modelID = ModelLocator.version(of: folder)
        _ = try encoder.embed(Array(kb.prefix(32).map { ([$0.title] + $0.examples).joined(separator: "\n") }))  // warm-up
        let index = try KnowledgeIndex(path: scratch.path("kb.sqlite"))
        let (full, fullSeconds) = try timed { try index.build(loaded, encoder: encoder, modelID: modelID) }
        guard full.added == articles else { throw BenchFailure("full build added \(full.added) of \(articles) articles") }

        // Change every k-th article's first example (a text of another article of the same intent).
        let changed = Int((Double(articles) * changedPercent / 100).rounded())
        let stride = changed > 0 ? articles / changed : articles + 1
        for i in Swift.stride(from: 0, to: articles, by: stride).prefix(changed) {
            let replacement = kb[(i + grouped.count) % articles].examples.last ?? ""
            kb[i].examples[0] = replacement != kb[i].examples[0] ? replacement : kb[i].examples[0] + " (updated)"
        }
        loaded = try writeKnowledgeBase(kb, to: scratch.path("kb-changed.jsonl"))
        let (incremental, incrementalSeconds) = try timed { try index.build(loaded, encoder: encoder, modelID: modelID) }
        guard incremental.updated + incremental.added == changed, incremental.unchanged == articles - changed else {
            throw BenchFailure("incremental build: \(incremental.updated) updated, \(incremental.unchanged) unchanged; expected \(changed) and \(articles - changed)")
        }
        let (noop, noopSeconds) = try timed { try index.build(loaded, encoder: encoder, modelID: modelID) }
        guard noop.unchanged == articles else { throw BenchFailure("unchanged re-index re-embedded \(articles - noop.unchanged) articles") }

        // Query latency against the large index, on texts of the data set (many are examples of some
        // article, so this measures speed, not quality: assistant-retrieval does that).
        let retriever = try HybridRetriever(index: index, encoder: encoder)
        let texts = draw(grouped.flatMap(\.1), queries + 20)
        _ = try RankerRun(queries: Array(texts.prefix(20)), index: index, retriever: retriever, encoder: encoder, depth: 10)
        let timed = try RankerRun(queries: Array(texts.dropFirst(20)), index: index, retriever: retriever, encoder: encoder, depth: 10)
        let indexBytes = ["kb.sqlite", "kb.sqlite-wal"].reduce(0) {  // WAL mode: recent pages are in the -wal file
            $0 + ((try? FileManager.default.attributesOfItem(atPath: scratch.path($1))[.size] as? Int) ?? 0)
        }
        try printJSON(["articles": articles, "threads": threads, "seed": seed,
                       "write_and_load_seconds": writeLoad,
                       "full_build_seconds": fullSeconds, "full_articles_per_s": Double(articles) / fullSeconds,
                       "changed_articles": changed, "incremental_seconds": incrementalSeconds,
                       "incremental_changed_per_s": changed > 0 ? Double(changed) / incrementalSeconds : 0,
                       "unchanged_reindex_seconds": noopSeconds, "index_bytes": indexBytes,
                       "queries": timed.bm25.count, "query_latency": timed.latencies(), "data": options.data])
    }
}
