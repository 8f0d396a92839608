import Foundation
public import ModelRuntime

/// Hybrid retrieval: BM25 over the FTS5 index and cosine similarity of sentence embeddings,
/// fused by reciprocal rank (RRF, `1 / (k + rank)` summed over both lists, k = 60).
public struct HybridRetriever: Sendable {
    public struct Source: Codable, Sendable, Equatable {
        public var articleID: String
        /// 1-based rank in the BM25 list, nil when absent from it.
        public var bm25Rank: Int?
        /// 1-based rank in the dense list.
        public var denseRank: Int?
        /// Cosine similarity of the ticket and the article (title + examples).
        public var cosine: Double
        public var fusedScore: Double
    }

    let index: KnowledgeIndex
    let encoder: SentenceEncoder
    let vectors: [(id: String, vector: [Float])]
    public let rrfK: Double
    public let depth: Int

    public init(index: KnowledgeIndex, encoder: SentenceEncoder, rrfK: Double = 60, depth: Int = 20) throws {
        self.index = index
        self.encoder = encoder
        self.vectors = try index.embeddings()
        self.rrfK = rrfK
        self.depth = depth
    }

    /// The best `limit` sources for a (redacted) ticket, best first.
    public func retrieve(_ text: String, embedding: [Float]? = nil, limit: Int = 3) throws -> [Source] {
        let query = try embedding ?? encoder.embed([text])[0]
        let dense = denseRanking(query)
        let keyword = try index.keywordSearch(text, limit: depth)
        var fused: [String: Double] = [:]
        var bm25Rank: [String: Int] = [:], denseRank: [String: Int] = [:], cosine: [String: Double] = [:]
        for (rank, hit) in keyword.enumerated() {
            bm25Rank[hit.id] = rank + 1
            fused[hit.id, default: 0] += 1 / (rrfK + Double(rank + 1))
        }
        for (rank, hit) in dense.enumerated() {
            cosine[hit.id] = hit.cosine
            guard rank < depth else { continue }
            denseRank[hit.id] = rank + 1
            fused[hit.id, default: 0] += 1 / (rrfK + Double(rank + 1))
        }
        return fused.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map {
            Source(articleID: $0.key, bm25Rank: bm25Rank[$0.key], denseRank: denseRank[$0.key],
                   cosine: cosine[$0.key] ?? 0, fusedScore: $0.value)
        }
    }

    /// Every article by cosine similarity to a query embedding (unit vector), best first: the
    /// dense half of `retrieve`, on its own (the BM25 half is `KnowledgeIndex.keywordSearch`).
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
