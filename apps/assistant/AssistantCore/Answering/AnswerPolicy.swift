/// Thresholds of the answer/escalate decision (cosines are of unit sentence embeddings).
public struct AnswerPolicy: Sendable, Equatable {
    /// Below this cosine to the best article, no article supports an answer.
    public var minimumSourceCosine = 0.35
    /// Below this cosine the match is too weak to answer from.
    public var answerCosine = 0.5
    /// When the two best articles serve different intents and their cosines differ by less than this.
    public var ambiguityMargin = 0.02
    /// Longest ticket accepted, in characters.
    public var maximumTicketCharacters = 100_000

    public init() {}
}
