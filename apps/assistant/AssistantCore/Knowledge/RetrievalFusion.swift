/// How `HybridRetriever` ranks the articles it gathered for a ticket: a weighted sum of three
/// signals, each normalised over the query's candidates (docs/KNOWLEDGE-BASE.md, "Retrieval").
///
/// The signals of an article are its cosine to the ticket (the embedding of title + examples,
/// `cosine`), the best cosine of the ticket to one of its phrasings (the title and each example
/// embedded alone, `phrasingCosine`), and its BM25 score (0 when BM25 did not return it).
/// The defaults were chosen by `suite-bench assistant-retrieval-tune` on tuning data only (the
/// demo-KB evaluation set's `tune` split and the `dev` half of the Banking77 queries); the
/// held-out halves were not looked at.
public struct RetrievalFusion: Codable, Sendable, Equatable {
    public enum Normalisation: String, Codable, Sendable, CaseIterable {
        /// (x − min) / (max − min) over the candidates; 0 when all are equal.
        case minMax = "min-max"
        /// (x − mean) / standard deviation over the candidates; 0 when all are equal.
        case zScore = "z-score"
    }

    /// One gathered article and its signals.
    public struct Candidate: Sendable, Equatable {
        public var id: String
        /// Cosine of the ticket and the article's embedding (title + examples).
        public var cosine: Double
        /// Highest cosine of the ticket and one phrasing (title or example) of the article.
        public var phrasingCosine: Double
        /// BM25 score (higher is better), nil when absent from the BM25 list.
        public var bm25: Double?
        /// 1-based ranks in the BM25 and the dense (`cosine`) lists, nil beyond the retriever's depth.
        public var bm25Rank: Int?
        public var denseRank: Int?

        public init(id: String, cosine: Double, phrasingCosine: Double, bm25: Double?, bm25Rank: Int? = nil, denseRank: Int? = nil) {
            self.id = id
            self.cosine = cosine
            self.phrasingCosine = phrasingCosine
            self.bm25 = bm25
            self.bm25Rank = bm25Rank
            self.denseRank = denseRank
        }
    }

    public var denseWeight: Double
    public var phrasingWeight: Double
    public var bm25Weight: Double
    public var normalisation: Normalisation

    /// The tuned weights that `assistant ask` uses (docs/KNOWLEDGE-BASE.md, "Retrieval"): the best
    /// of the 462 weightings of `grid(step: 0.05)` on the tuning data, z-score normalised.
    public init(denseWeight: Double = 0.55, phrasingWeight: Double = 0.2, bm25Weight: Double = 0.25,
                normalisation: Normalisation = .zScore) {
        self.denseWeight = denseWeight
        self.phrasingWeight = phrasingWeight
        self.bm25Weight = bm25Weight
        self.normalisation = normalisation
    }

    /// The fused score of each candidate, in the candidates' order.
    public func scores(_ candidates: [Candidate]) -> [Double] {
        let dense = Self.normalised(candidates.map(\.cosine), normalisation)
        let phrasing = Self.normalised(candidates.map(\.phrasingCosine), normalisation)
        let bm25 = Self.normalised(candidates.map { $0.bm25 ?? 0 }, normalisation)
        return candidates.indices.map { denseWeight * dense[$0] + phrasingWeight * phrasing[$0] + bm25Weight * bm25[$0] }
    }

    /// Candidate ids with their fused scores, best first (ties by id).
    public func ranked(_ candidates: [Candidate]) -> [(id: String, score: Double)] {
        Self.sorted(zip(candidates.map(\.id), scores(candidates)).map { ($0, $1) })
    }

    /// Reciprocal-rank fusion of the BM25 and dense ranks (`1 / (k + rank)` summed), the ranker
    /// `ask` used before; the benchmarks report it for comparison.
    public static func reciprocalRank(_ candidates: [Candidate], k: Double = 60) -> [(id: String, score: Double)] {
        sorted(candidates.map { c in
            (c.id, (c.bm25Rank.map { 1 / (k + Double($0)) } ?? 0) + (c.denseRank.map { 1 / (k + Double($0)) } ?? 0))
        }.filter { $0.1 > 0 })
    }

    static func sorted(_ scored: [(String, Double)]) -> [(id: String, score: Double)] {
        scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map { (id: $0.0, score: $0.1) }
    }

    /// `values` normalised over themselves.
    static func normalised(_ values: [Double], _ normalisation: Normalisation) -> [Double] {
        guard let low = values.min(), let high = values.max(), high > low else { return values.map { _ in 0 } }
        switch normalisation {
        case .minMax:
            return values.map { ($0 - low) / (high - low) }
        case .zScore:
            let mean = values.reduce(0, +) / Double(values.count)
            let deviation = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
            return values.map { ($0 - mean) / deviation }
        }
    }

    /// Every weighting on the simplex with the given step (weights ≥ 0 summing to 1), for each
    /// normalisation: the grid `suite-bench assistant-retrieval-tune` searches.
    public static func grid(step: Double = 0.05) -> [RetrievalFusion] {
        let n = Int((1 / step).rounded())
        var all: [RetrievalFusion] = []
        for normalisation in Normalisation.allCases {
            for d in 0...n {
                for p in 0...(n - d) {
                    let b = n - d - p
                    all.append(RetrievalFusion(denseWeight: Double(d) / Double(n), phrasingWeight: Double(p) / Double(n),
                                               bm25Weight: Double(b) / Double(n), normalisation: normalisation))
                }
            }
        }
        return all
    }
}
