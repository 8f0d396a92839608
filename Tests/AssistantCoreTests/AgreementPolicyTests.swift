import Testing
@testable import AssistantCore

/// `AnswerPolicy.decision`: the classifier and retrieval must agree, and an article indexed after
/// the classifier was trained is decided by retrieval alone, with its own thresholds.
struct AgreementPolicyTests {
    static let savings = IntentClassifier.Prediction(ranking: [("savings", 0.99), ("card_limits", 0.01)], similarity: 0.5, verdict: .inScope)
    static let intents = ["kb-loans": ["loans"], "kb-savings": ["savings"], "kb-limits": ["card_limits"]]

    /// A source with the fused score and best phrasing cosine the decision reads.
    static func source(_ id: String, fused: Double, phrasing: Double) -> HybridRetriever.Source {
        HybridRetriever.Source(articleID: id, bm25Rank: 1, denseRank: 1, cosine: phrasing, phrasingCosine: phrasing, fusedScore: fused)
    }

    static func decide(_ sources: [HybridRetriever.Source], known: Set<String> = ["savings", "card_limits"],
                       prediction: IntentClassifier.Prediction = savings) -> (AnswerResult.Reason?, String?) {
        let (reason, source) = AnswerPolicy().decision(prediction, sources: sources, known: known) { Self.intents[$0] ?? [] }
        return (reason, source?.articleID)
    }

    @Test func aNewArticleIsAnsweredByRetrievalAlone() {
        let policy = AnswerPolicy()
        let limits = Self.source("kb-limits", fused: 0.5, phrasing: 0.4)
        let clear = Self.source("kb-loans", fused: 0.5 + policy.newIntentLead, phrasing: policy.newIntentPhrasingCosine)
        #expect(Self.decide([clear, limits]) == (nil, "kb-loans"))
        // Even an out-of-scope verdict does not hide the new article.
        let outOfScope = IntentClassifier.Prediction(ranking: [("savings", 0.3)], similarity: 0.1, verdict: .outOfScope)
        #expect(Self.decide([clear, limits], prediction: outOfScope) == (nil, "kb-loans"))
        // A lead or a phrasing below the new-intent bar escalates.
        let close = Self.source("kb-loans", fused: 0.5 + policy.newIntentLead - 0.01, phrasing: 0.9)
        #expect(Self.decide([close, limits]) == (.ambiguous, nil))
        let weak = Self.source("kb-loans", fused: 2, phrasing: policy.newIntentPhrasingCosine - 0.01)
        #expect(Self.decide([weak, limits]) == (.lowConfidence, nil))
        // A lone source leads.
        #expect(Self.decide([Self.source("kb-loans", fused: 0, phrasing: 0.7)]) == (nil, "kb-loans"))
    }

    @Test func aKnownIntentNeedsTheClassifierAndRetrievalToAgree() {
        let policy = AnswerPolicy()
        let savings = Self.source("kb-savings", fused: 1 + policy.agreedLead, phrasing: policy.agreedPhrasingCosine)
        let limits = Self.source("kb-limits", fused: 1, phrasing: 0.5)
        #expect(Self.decide([savings, limits]) == (nil, "kb-savings"))
        // Retrieval puts another intent's article first: the two disagree.
        let limitsFirst = Self.source("kb-limits", fused: 3, phrasing: 0.8)
        #expect(Self.decide([limitsFirst, savings]) == (.ambiguous, nil))
        #expect(Self.decide([limitsFirst]) == (.noSource, nil))
        // They agree, but the lead or the phrasing is short.
        #expect(Self.decide([Self.source("kb-savings", fused: 1 + policy.agreedLead / 2, phrasing: 0.9), limits]) == (.ambiguous, nil))
        #expect(Self.decide([Self.source("kb-savings", fused: 3, phrasing: policy.agreedPhrasingCosine - 0.01), limits]) == (.lowConfidence, nil))
        // The classifier's own verdicts still escalate.
        let unsure = IntentClassifier.Prediction(ranking: [("savings", 0.5), ("card_limits", 0.49)], similarity: 0.5, verdict: .ambiguous)
        #expect(Self.decide([savings, limits], prediction: unsure) == (.ambiguous, nil))
        // Once the classifier knows loans, a loans article first with a savings prediction disagrees.
        let loans = Self.source("kb-loans", fused: 3, phrasing: 0.9)
        #expect(Self.decide([loans], known: ["savings", "card_limits", "loans"]) == (.noSource, nil))
    }
}
