/// Thresholds of the answer/escalate decision (cosines are of unit sentence embeddings).
///
/// The defaults were chosen by `assistant fit-policy` on the demo knowledge base with tickets it
/// never indexed (docs/KNOWLEDGE-BASE.md, "Answer thresholds": the command, the data, the rule
/// and the figures).
public struct AnswerPolicy: Codable, Sendable, Equatable {
    /// With an intent classifier: the answer is the first retrieved article of the predicted
    /// intent whose cosine reaches this.
    public var classifierSourceCosine = 0.30
    /// Without a classifier: below this cosine to the best article, no article supports an answer.
    public var minimumSourceCosine = 0.60
    /// Below this cosine the match is too weak to answer from.
    public var answerCosine = 0.60
    /// When the two best articles serve different intents and their cosines differ by less than this.
    public var ambiguityMargin = 0.05
    /// With a classifier: a second question of a ticket counts as another topic (`multiple_questions`)
    /// when the classifier gives it an intent the answer's article does not serve with at least
    /// this probability. Set by hand (a question about the same topic, "When will it arrive?",
    /// scored 0.85 for the ticket's own intent; "Where is my card?" 0.48 for a neighbour), not
    /// fitted yet.
    public var otherQuestionProbability = 0.8
    /// Longest ticket accepted, in characters.
    var maximumTicketCharacters = 100_000

    public init() {}

    /// Without a classifier: the escalation reason for retrieved `sources` (best fused first), or
    /// nil to answer with the first source. `intents` gives an article's intents.
    func escalation(_ sources: [HybridRetriever.Source], intents: (String) throws -> [String]) rethrows -> AnswerResult.Reason? {
        guard let best = sources.first, best.cosine >= minimumSourceCosine else { return .noSource }
        let byCosine = sources.sorted { $0.cosine > $1.cosine }
        if byCosine[0].cosine < answerCosine { return .lowConfidence }
        if byCosine.count > 1, byCosine[0].cosine - byCosine[1].cosine < ambiguityMargin,
           Set(try intents(byCosine[0].articleID)).isDisjoint(with: try intents(byCosine[1].articleID)) {
            return .ambiguous
        }
        return nil
    }

    /// With a classifier: out-of-scope and ambiguity come from its verdict, and the answer must
    /// be a retrieved article of the predicted intent (`noSource` otherwise) — except for an
    /// article indexed after the classifier was trained: when the retrieved article closest by
    /// cosine serves only intents the classifier does not know (`known`), retrieval decides
    /// alone, so a new article is used from the moment it is indexed. It answers with that
    /// article when BM25 and the dense ranking both put it first and its cosine reaches
    /// `classifierSourceCosine` (the two rankers' agreement stands in for the classifier's
    /// intent), and otherwise by the thresholds fitted for answering without a classifier
    /// (`escalation`).
    func decision(_ prediction: IntentClassifier.Prediction, sources: [HybridRetriever.Source], known: Set<String>,
                  intents: (String) throws -> [String]) rethrows -> (AnswerResult.Reason?, HybridRetriever.Source?) {
        if let closest = sources.max(by: { $0.cosine < $1.cosine }), try known.isDisjoint(with: intents(closest.articleID)) {
            if closest.bm25Rank == 1 && closest.denseRank == 1 && closest.cosine >= classifierSourceCosine { return (nil, closest) }
            let reason = try escalation(sources, intents: intents)
            return (reason, reason == nil ? sources.first : nil)
        }
        switch prediction.verdict {
        case .outOfScope: return (.outOfScope, nil)
        case .ambiguous: return (.ambiguous, nil)
        case .inScope: break
        }
        let intent = prediction.ranking[0].label
        for source in sources where source.cosine >= classifierSourceCosine {
            if try intents(source.articleID).contains(intent) { return (nil, source) }
        }
        return (.noSource, nil)
    }
}
