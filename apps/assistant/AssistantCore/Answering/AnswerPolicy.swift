/// Thresholds of the answer/escalate decision (cosines are of unit sentence embeddings).
///
/// Without a classifier, the retrieval thresholds were chosen by `assistant fit-policy` on the
/// demo knowledge base with tickets it never indexed (docs/KNOWLEDGE-BASE.md, "Answer
/// thresholds"). With a classifier, the agreement thresholds were chosen on the `tune` split of
/// the demo-KB evaluation set only (`AgreementSweep`, `suite-bench assistant-kb-eval`; the
/// `report` split chose nothing): docs/KNOWLEDGE-BASE.md, "Evaluation set".
public struct AnswerPolicy: Codable, Sendable, Equatable {
    /// With a classifier, the best-ranked article answers only when it serves the predicted
    /// intent, its fused retrieval score (`RetrievalFusion`, z-scored over the candidates) leads
    /// the next article's by at least this, and …
    public var agreedLead = 0.1
    /// … one of its phrasings (title or example) has at least this cosine to the ticket.
    public var agreedPhrasingCosine = 0.65
    /// For an article of an intent the classifier does not know (indexed after it was trained),
    /// retrieval answers alone, with its own stricter bar: this lead …
    public var newIntentLead = 0.5
    /// … and this phrasing cosine.
    public var newIntentPhrasingCosine = 0.65
    /// Without a classifier: below this cosine to the best article, no article supports an answer.
    public var minimumSourceCosine = 0.60
    /// Below this cosine the match is too weak to answer from.
    public var answerCosine = 0.65
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

    /// With a classifier: the classifier and retrieval must agree. Out-of-scope and ambiguity
    /// come from the classifier's verdict; the answer is the best-ranked source, and only when
    /// it serves the predicted intent (`ambiguous` when a lower source does, `noSource` when none
    /// does), leads the next source by `agreedLead` (`ambiguous` otherwise) and has a phrasing
    /// within `agreedPhrasingCosine` of the ticket (`lowConfidence` otherwise). A wrong answer
    /// costs more than an escalation, so every doubt escalates.
    ///
    /// An article indexed after the classifier was trained is used at once: when the
    /// best-ranked source serves only intents the classifier does not know (`known`), retrieval
    /// decides alone, with the `newIntent` thresholds, whatever the classifier's verdict.
    /// - Parameter sources: retrieved best first (by fused score).
    func decision(_ prediction: IntentClassifier.Prediction, sources: [HybridRetriever.Source], known: Set<String>,
                  intents: (String) throws -> [String]) rethrows -> (AnswerResult.Reason?, HybridRetriever.Source?) {
        guard let best = sources.first else { return (.noSource, nil) }
        let served = try intents(best.articleID)
        if known.isDisjoint(with: served) {
            let reason = Self.retrievalDoubt(sources, lead: newIntentLead, phrasingCosine: newIntentPhrasingCosine)
            return (reason, reason == nil ? best : nil)
        }
        switch prediction.verdict {
        case .outOfScope: return (.outOfScope, nil)
        case .ambiguous: return (.ambiguous, nil)
        case .inScope: break
        }
        let intent = prediction.ranking[0].label
        guard served.contains(intent) else {
            return (try sources.dropFirst().contains { try intents($0.articleID).contains(intent) } ? .ambiguous : .noSource, nil)
        }
        let reason = Self.retrievalDoubt(sources, lead: agreedLead, phrasingCosine: agreedPhrasingCosine)
        return (reason, reason == nil ? best : nil)
    }

    /// Why the best-ranked of `sources` is not clear enough to answer from, or nil: its fused
    /// score leads the next source's by less than `lead` (`ambiguous`; a lone source leads), or
    /// its best phrasing cosine (the whole-article cosine for an index without phrasings) is
    /// below `phrasingCosine` (`lowConfidence`).
    static func retrievalDoubt(_ sources: [HybridRetriever.Source], lead: Double, phrasingCosine: Double) -> AnswerResult.Reason? {
        guard let best = sources.first else { return .noSource }
        if sources.count > 1, best.fusedScore - sources[1].fusedScore < lead { return .ambiguous }
        if (best.phrasingCosine ?? best.cosine) < phrasingCosine { return .lowConfidence }
        return nil
    }
}
