import Foundation
public import ModelRuntime

/// Hybrid retrieval: BM25 over the FTS5 index and cosine similarity of sentence embeddings (of
/// the whole article, and of each of its phrasings: title and examples), gathered into one set of
/// candidates and ranked by weighted score fusion (`RetrievalFusion`, tuned weights).
public struct HybridRetriever: Sendable {
    public struct Source: Codable, Sendable, Equatable {
        public var articleID: String
        /// 1-based rank in the BM25 list, nil when absent from it.
        public var bm25Rank: Int?
        /// 1-based rank in the dense list.
        public var denseRank: Int?
        /// Cosine similarity of the ticket and the article (title + examples).
        public var cosine: Double
        /// Highest cosine of the ticket and one phrasing of the article (its title or an example).
        public var phrasingCosine: Double?
        /// The `RetrievalFusion` score the sources are ranked by.
        public var fusedScore: Double
    }

    let index: KnowledgeIndex
    let encoder: SentenceEncoder
    let vectors: [(id: String, vector: [Float])]
    /// Each article's phrasing vectors (title and examples), by article id.
    let phrasings: [String: [[Float]]]
    public let fusion: RetrievalFusion
    /// Articles taken from each list (BM25, dense, phrasing) into the candidates.
    public let depth: Int

    public init(index: KnowledgeIndex, encoder: SentenceEncoder, fusion: RetrievalFusion = RetrievalFusion(), depth: Int = 20) throws {
        self.index = index
        self.encoder = encoder
        self.vectors = try index.embeddings()
        self.phrasings = try index.phrasingEmbeddings()
        self.fusion = fusion
        self.depth = depth
    }

    /// The best `limit` sources for a (redacted) ticket, best first.
    public func retrieve(_ text: String, embedding: [Float]? = nil, limit: Int = 3) throws -> [Source] {
        let found = try candidates(text, embedding: embedding ?? encoder.embed([text])[0])
        let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.id, $0) })
        return fusion.ranked(found).prefix(limit).map {
            let c = byID[$0.id]!
            return Source(articleID: c.id, bm25Rank: c.bm25Rank, denseRank: c.denseRank, cosine: c.cosine,
                          phrasingCosine: c.phrasingCosine, fusedScore: $0.score)
        }
    }

    /// The candidates of a ticket with their signals: the union of the first `depth` articles by
    /// BM25, by cosine to the article, and by cosine to its best phrasing (sorted by id).
    public func candidates(_ text: String, embedding query: [Float]) throws -> [RetrievalFusion.Candidate] {
        let dense = denseRanking(query)
        // An article without phrasing vectors (none indexed yet) counts with its own cosine.
        var phrased: [(id: String, cosine: Double)] = []
        for hit in dense {
            var best = hit.cosine
            if let vectors = phrasings[hit.id], !vectors.isEmpty {
                best = -Double.infinity
                for vector in vectors { best = max(best, Self.dot(query, vector)) }
            }
            phrased.append((id: hit.id, cosine: best))
        }
        phrased.sort { $0.cosine != $1.cosine ? $0.cosine > $1.cosine : $0.id < $1.id }
        let keyword = try index.keywordSearch(text, limit: depth)
        var chosen = Set(dense.prefix(depth).map(\.id))
        chosen.formUnion(phrased.prefix(depth).map(\.id))
        chosen.formUnion(keyword.map(\.id))
        let cosine = Dictionary(uniqueKeysWithValues: dense.map { ($0.id, $0.cosine) })
        let phrasing = Dictionary(uniqueKeysWithValues: phrased.map { ($0.id, $0.cosine) })
        var bm25: [String: (score: Double, rank: Int)] = [:]
        for (rank, hit) in keyword.enumerated() { bm25[hit.id] = (hit.score, rank + 1) }
        var denseRank: [String: Int] = [:]
        for (rank, hit) in dense.prefix(depth).enumerated() { denseRank[hit.id] = rank + 1 }
        return chosen.sorted().map { id in
            RetrievalFusion.Candidate(id: id, cosine: cosine[id] ?? 0, phrasingCosine: phrasing[id] ?? 0,
                                      bm25: bm25[id]?.score, bm25Rank: bm25[id]?.rank, denseRank: denseRank[id])
        }
    }

    /// Every article by cosine similarity to a query embedding (unit vector), best first: the
    /// dense signal on its own (the BM25 one is `KnowledgeIndex.keywordSearch`).
    public func denseRanking(_ query: [Float]) -> [(id: String, cosine: Double)] {
        vectors.map { (id: $0.id, cosine: Self.dot(query, $0.vector)) }.sorted { $0.cosine > $1.cosine }
    }

    /// Unit vectors, so the dot product is the cosine.
    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        var sum: Float = 0
        for i in 0..<min(a.count, b.count) { sum += a[i] * b[i] }
        return Double(sum)
    }
}
