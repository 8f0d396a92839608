import AuditLog
import Foundation
import ModelRuntime

/// Errors about the ticket itself.
public enum TicketError: Error, Equatable, CustomStringConvertible {
    case empty
    case tooLong(characters: Int, limit: Int)

    public var description: String {
        switch self {
        case .empty: return "the ticket is empty"
        case .tooLong(let n, let limit): return "the ticket has \(n) characters, more than the \(limit) accepted"
        }
    }
}

/// Answers a ticket from the knowledge base or escalates it, stores it sealed, and audits the answer.
public struct Answerer: Sendable {
    let retriever: HybridRetriever
    let index: KnowledgeIndex
    let store: AssistantStore
    let policy: AnswerPolicy
    let modelVersion: String
    let kbVersion: String
    let redactor = PIIRedactor()

    public init(index: KnowledgeIndex, encoder: SentenceEncoder, store: AssistantStore, modelVersion: String,
                policy: AnswerPolicy = AnswerPolicy()) throws {
        self.index = index
        self.store = store
        self.policy = policy
        self.modelVersion = modelVersion
        self.retriever = try HybridRetriever(index: index, encoder: encoder)
        self.kbVersion = try index.metadata()?.version ?? "empty"
    }

    public func answer(_ text: String, actor: String, source: String = "cli") throws -> AnswerResult {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw TicketError.empty }
        guard trimmed.count <= policy.maximumTicketCharacters else {
            throw TicketError.tooLong(characters: trimmed.count, limit: policy.maximumTicketCharacters)
        }
        let (redacted, kinds) = redactor.redact(trimmed)
        let email = redactor.find(in: trimmed).first { $0.kind == .email }.map { String(trimmed[$0.range]) }
        let sources = try retriever.retrieve(redacted, limit: 3)
        var result = AnswerResult(
            ticketID: nil, decision: .escalate, reason: nil, answer: nil, articleID: nil, title: nil,
            intents: try intentRanking(sources), sources: sources, redacted: kinds.map(\.rawValue).sorted(),
            modelVersion: modelVersion, kbVersion: kbVersion)
        result.reason = try decide(sources: sources, kinds: kinds)
        if result.reason == nil, let best = sources.first, let article = try index.article(id: best.articleID) {
            result.decision = .answer
            result.answer = article.answer
            result.articleID = article.id
            result.title = article.title
        }
        result.ticketID = try store.createTicket(text: trimmed, email: email, source: source, actor: actor)
        try store.recordAnswer(result, actor: actor)
        return result
    }

    /// The escalation reason, or nil to answer with the best source.
    func decide(sources: [HybridRetriever.Source], kinds: Set<PIIRedactor.Kind>) throws -> AnswerResult.Reason? {
        if kinds.contains(.card) || kinds.contains(.iban) { return .piiPolicy }
        guard let best = sources.first, best.cosine >= policy.minimumSourceCosine else { return .noSource }
        let byCosine = sources.sorted { $0.cosine > $1.cosine }
        if byCosine[0].cosine < policy.answerCosine { return .lowConfidence }
        if byCosine.count > 1, byCosine[0].cosine - byCosine[1].cosine < policy.ambiguityMargin,
           let a = try index.article(id: byCosine[0].articleID), let b = try index.article(id: byCosine[1].articleID),
           Set(a.intents).isDisjoint(with: b.intents) {
            return .ambiguous
        }
        return nil
    }

    /// Intents of the retrieved articles, scored by their share of the fused retrieval score.
    func intentRanking(_ sources: [HybridRetriever.Source]) throws -> [AnswerResult.IntentScore] {
        var scores: [String: Double] = [:]
        for source in sources {
            guard let article = try index.article(id: source.articleID) else { continue }
            for intent in article.intents { scores[intent, default: 0] += source.fusedScore }
        }
        let total = scores.values.reduce(0, +)
        return scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
            .map { AnswerResult.IntentScore(intent: $0.key, score: total > 0 ? $0.value / total : 0) }
    }
}
