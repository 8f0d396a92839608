import Testing
@testable import AssistantCore

/// `AnswerPolicy.decision` for articles indexed after the classifier was trained: retrieval
/// decides alone when the closest article serves only intents the classifier does not know.
struct NewIntentPolicyTests {
    static let savings = IntentClassifier.Prediction(ranking: [("savings", 0.99), ("card_limits", 0.01)], similarity: 0.5, verdict: .inScope)
    static let intents = ["kb-loans": ["loans"], "kb-savings": ["savings"], "kb-limits": ["card_limits"]]

    static func source(_ id: String, bm25: Int?, dense: Int, cosine: Double) -> HybridRetriever.Source {
        HybridRetriever.Source(articleID: id, bm25Rank: bm25, denseRank: dense, cosine: cosine, fusedScore: 0)
    }

    static func decide(_ sources: [HybridRetriever.Source], known: Set<String> = ["savings", "card_limits"],
                       prediction: IntentClassifier.Prediction = savings) -> (AnswerResult.Reason?, String?) {
        let (reason, source) = AnswerPolicy().decision(prediction, sources: sources, known: known) { Self.intents[$0] ?? [] }
        return (reason, source?.articleID)
    }

    @Test func aNewArticleFirstInBothRankingsIsAnswered() {
        let loans = Self.source("kb-loans", bm25: 1, dense: 1, cosine: 0.56)
        let limits = Self.source("kb-limits", bm25: 2, dense: 2, cosine: 0.35)
        #expect(Self.decide([loans, limits]) == (nil, "kb-loans"))
        // Below the source cosine: the no-classifier thresholds decide (0.56 < 0.60: no source).
        #expect(Self.decide([Self.source("kb-loans", bm25: 1, dense: 1, cosine: 0.25), limits]) == (.noSource, nil))
        // Not first by BM25: the no-classifier thresholds decide.
        #expect(Self.decide([Self.source("kb-loans", bm25: 2, dense: 1, cosine: 0.56), limits]) == (.noSource, nil))
        #expect(Self.decide([Self.source("kb-loans", bm25: 2, dense: 1, cosine: 0.75), limits]) == (nil, "kb-loans"))
        // Even an out-of-scope verdict does not hide the new article.
        let outOfScope = IntentClassifier.Prediction(ranking: [("savings", 0.3)], similarity: 0.1, verdict: .outOfScope)
        #expect(Self.decide([loans, limits], prediction: outOfScope) == (nil, "kb-loans"))
    }

    @Test func onceTheClassifierKnowsTheIntentItDecidesAgain() {
        let loans = Self.source("kb-loans", bm25: 1, dense: 1, cosine: 0.56)
        // The classifier says savings; no savings article was retrieved: no source.
        #expect(Self.decide([loans], known: ["savings", "card_limits", "loans"]) == (.noSource, nil))
        // A known intent's article closest by cosine: the classifier's path as before.
        let savings = Self.source("kb-savings", bm25: 2, dense: 1, cosine: 0.7)
        #expect(Self.decide([loans, savings].sorted { $0.cosine > $1.cosine }) == (nil, "kb-savings"))
    }
}
