import AuditLog
import Foundation
import Tokenization
public import ModelRuntime

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
    let encoder: SentenceEncoder
    let classifier: IntentClassifier?
    /// The classifier's own (fine-tuned) encoder, nil when it shares `encoder`.
    let classifierEncoder: SentenceEncoder?
    let index: KnowledgeIndex
    let store: AssistantStore
    let policy: AnswerPolicy
    let modelVersion: String
    let kbVersion: String
    let redactor = PIIRedactor()
    let speller: SpellingCorrector

    /// - Parameters:
    ///   - encoder: embeds tickets for retrieval (the encoder the index was built with).
    ///   - classifier: ranks intents and decides out-of-scope/ambiguous; without one, intents
    ///     come from the retrieved articles and only the retrieval thresholds decide.
    ///   - classifierEncoder: the classifier's own fine-tuned encoder and its version
    ///     (`IntentClassifier.encoderFolder`), when it does not share `encoder`.
    ///   - fusion: how retrieval ranks the articles; the default holds the tuned weights
    ///     (docs/KNOWLEDGE-BASE.md, "Retrieval").
    ///   - modelVersion: what every decision records (a registry version id, or `encoderVersion`).
    ///   - encoderVersion: the version of `encoder` (`ModelLocator.version`), which a classifier
    ///     without its own encoder must have been trained on; nil when it is `modelVersion`.
    public init(index: KnowledgeIndex, encoder: SentenceEncoder, store: AssistantStore, modelVersion: String,
                encoderVersion: String? = nil,
                classifier: IntentClassifier? = nil, classifierEncoder: (encoder: SentenceEncoder, version: String)? = nil,
                policy: AnswerPolicy = AnswerPolicy(), fusion: RetrievalFusion = RetrievalFusion()) throws {
        let expected = classifierEncoder?.version ?? encoderVersion ?? modelVersion
        if let classifier, classifier.embeddingModel != expected {
            throw ClassifierError.modelMismatch(classifier: classifier.embeddingModel, encoder: expected)
        }
        self.index = index
        self.encoder = encoder
        self.classifier = classifier
        self.classifierEncoder = classifierEncoder?.encoder
        self.store = store
        self.policy = policy
        self.modelVersion = modelVersion
        self.retriever = try HybridRetriever(index: index, encoder: encoder, fusion: fusion)
        self.kbVersion = try index.metadata()?.version ?? "empty"
        self.speller = SpellingCorrector(knowledgeWords: try index.wordCounts(), vocabulary: encoder.tokenizer.vocabulary.tokens)
    }

    /// Stores the ticket and the decision in one transaction with their audit entries.
    /// - Parameter ticketID: a stable id (batch rows) so that answering again updates the same ticket.
    public func answer(_ text: String, actor: String, source: TicketChannel = .cli, ticketID: String? = nil) throws -> AnswerResult {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw TicketError.empty }
        guard trimmed.count <= policy.maximumTicketCharacters else {
            throw TicketError.tooLong(characters: trimmed.count, limit: policy.maximumTicketCharacters)
        }
        let evidence = try self.evidence(trimmed)
        let (sources, prediction, kinds, redacted) = (evidence.sources, evidence.prediction, evidence.redacted, evidence.text)
        let email = redactor.find(in: trimmed).first { $0.kind == .email }.map { String(trimmed[$0.range]) }
        var result = AnswerResult(
            ticketID: nil, decision: .escalate, reason: nil, answer: nil, articleID: nil, title: nil,
            intents: try prediction.map { p in p.ranking.prefix(3).map { .init(intent: $0.label, score: $0.probability) } }
                ?? intentRanking(sources),
            sources: sources, redacted: kinds.map(\.rawValue).sorted(), reading: evidence.notes.isEmpty ? nil : evidence.notes,
            language: evidence.language, modelVersion: modelVersion, kbVersion: kbVersion)
        var supporting = sources.first
        if result.language != LanguageDetector.english && !kinds.contains(.card) && !kinds.contains(.iban) {
            result.reason = .unsupportedLanguage
        } else if let prediction {
            (result.reason, supporting) = try decide(prediction: prediction, sources: sources, kinds: kinds)
        } else {
            result.reason = try decide(sources: sources, kinds: kinds)
        }
        if result.reason.map(Self.doubts.contains) ?? true,
           try asksSeveralQuestions(redacted, answeredBy: result.reason == nil ? supporting : nil) {
            result.reason = .multipleQuestions
        }
        if result.reason == nil, let best = supporting, let article = try index.article(id: best.articleID) {
            result.decision = .answer
            result.answer = article.answer
            result.articleID = article.id
            result.title = article.title
        }
        result.ticketID = try store.record(result, text: trimmed, email: email, source: source, actor: actor, id: ticketID)
        return result
    }

    /// What a decision is made from, for a trimmed ticket; nothing is stored.
    public struct Evidence: Sendable {
        /// The text retrieved and classified: personal data masked, read by `TicketReader`, and,
        /// when English, its misspellings corrected (`SpellingCorrector`).
        public let text: String
        /// The language of the read text (`LanguageDetector`), before any correction.
        public let language: String
        /// What the reading removed or normalised.
        public let notes: TicketReader.Notes
        /// Kinds of personal data masked.
        let redacted: Set<PIIRedactor.Kind>
        /// The three best articles, best first.
        public let sources: [HybridRetriever.Source]
        /// The classifier's prediction, nil without a classifier.
        public let prediction: IntentClassifier.Prediction?
    }

    /// Reads, retrieves and classifies a trimmed ticket (`reading`).
    public func evidence(_ trimmed: String) throws -> Evidence {
        let (text, notes, kinds, language) = reading(trimmed)
        let embedding = try encoder.embed([text])[0]
        let sources = try retriever.retrieve(text, embedding: embedding, limit: 3)
        let prediction = try classifier?.predict(intentEmbedding(text, retrieval: embedding))
        return Evidence(text: text, language: language, notes: notes, redacted: kinds, sources: sources, prediction: prediction)
    }

    /// The escalation reason, or nil to answer with the best source.
    func decide(sources: [HybridRetriever.Source], kinds: Set<PIIRedactor.Kind>) throws -> AnswerResult.Reason? {
        if kinds.contains(.card) || kinds.contains(.iban) { return .piiPolicy }
        return try policy.escalation(sources) { try index.article(id: $0)?.intents ?? [] }
    }

    /// With a classifier: out-of-scope and ambiguity come from it, and the answer must come from
    /// a retrieved article of the predicted intent (or, for an article whose intents it does not
    /// know yet, from retrieval alone: `AnswerPolicy.decision`).
    func decide(prediction: IntentClassifier.Prediction, sources: [HybridRetriever.Source],
                kinds: Set<PIIRedactor.Kind>) throws -> (AnswerResult.Reason?, HybridRetriever.Source?) {
        if kinds.contains(.card) || kinds.contains(.iban) { return (.piiPolicy, nil) }
        return try policy.decision(prediction, sources: sources, known: Set(classifier?.labels ?? [])) {
            try index.article(id: $0)?.intents ?? []
        }
    }

    /// Escalations of the whole ticket that two questions about different topics may explain.
    static let doubts: Set<AnswerResult.Reason> = [.ambiguous, .noSource, .lowConfidence]

    /// Whether the ticket asks questions about different topics: with two or more sentences
    /// ending in `?`, each is looked at on its own, and its topic is the intent the classifier
    /// gives it when in scope with a top probability of at least
    /// `AnswerPolicy.otherQuestionProbability` (without a classifier: the intents of its best
    /// article when that reaches `AnswerPolicy.minimumSourceCosine`); questions without a clear
    /// topic are left out. Topics differ from the article chosen for the whole ticket
    /// (`answer`), or, when the ticket was not answered, from the first question's topic. One
    /// answer would leave a question unanswered, so the ticket escalates as `multiple_questions`.
    func asksSeveralQuestions(_ text: String, answeredBy answer: HybridRetriever.Source?) throws -> Bool {
        let questions = TicketReader.questions(text)
        guard questions.count >= 2 else { return false }
        var covered = try answer.flatMap { try index.article(id: $0.articleID) }.map { Set($0.intents) }
        let embeddings = try encoder.embed(questions)
        for (question, embedding) in zip(questions, embeddings) {
            guard let topic = try topic(of: question, embedding: embedding) else { continue }
            if let known = covered {
                if known.isDisjoint(with: topic) { return true }
            } else {
                covered = topic
            }
        }
        return false
    }

    /// The intents one question is clearly about (`asksSeveralQuestions`), or nil.
    func topic(of question: String, embedding: [Float]) throws -> Set<String>? {
        if let classifier {
            let prediction = classifier.predict(try intentEmbedding(question, retrieval: embedding))
            let top = prediction.ranking[0]
            return prediction.verdict == .inScope && top.probability >= policy.otherQuestionProbability ? [top.label] : nil
        }
        guard let best = try retriever.retrieve(question, embedding: embedding, limit: 1).first,
              best.cosine >= policy.minimumSourceCosine, let article = try index.article(id: best.articleID) else { return nil }
        return Set(article.intents)
    }

    /// Intents of the retrieved articles, scored by their share of the fused retrieval score (its
    /// positive part: z-scored fusion puts below-average candidates under 0).
    func intentRanking(_ sources: [HybridRetriever.Source]) throws -> [AnswerResult.IntentScore] {
        var scores: [String: Double] = [:]
        for source in sources {
            guard let article = try index.article(id: source.articleID) else { continue }
            for intent in article.intents { scores[intent, default: 0] += max(0, source.fusedScore) }
        }
        let total = scores.values.reduce(0, +)
        return scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
            .map { AnswerResult.IntentScore(intent: $0.key, score: total > 0 ? $0.value / total : 0) }
    }
}

extension Answerer {
    /// The text `answer` retrieves and classifies with (`reading`).
    public func readable(_ text: String) -> String { reading(text).text }

    /// The ticket as the assistant reads it: personal data masked (on the whole ticket first: a
    /// card number must never pass for a reference number), then read by `TicketReader` (quoted
    /// history, signature and reference numbers removed), its language detected, and, when
    /// English, its misspellings corrected (after detection: a foreign word must not turn
    /// into an English one).
    func reading(_ text: String) -> (text: String, notes: TicketReader.Notes, redacted: Set<PIIRedactor.Kind>, language: String) {
        let (masked, kinds) = redactor.redact(text)
        var (read, notes) = TicketReader.read(masked)
        let language = LanguageDetector.detect(read)
        if language == LanguageDetector.english {
            let spelling = speller.correct(read)
            if !spelling.corrections.isEmpty {
                read = spelling.text
                notes.spellingCorrected = spelling.corrections.map { "\($0.written) → \($0.corrected)" }
            }
        }
        return (read, notes, kinds, language)
    }

    /// Top intents for a text without storing anything (read and redacted first, like `answer`).
    public func classify(_ text: String) throws -> [AnswerResult.IntentScore] {
        let redacted = readable(text)
        if let classifier {
            return try classifier.predict(intentEmbedding(redacted, retrieval: nil)).ranking.prefix(3)
                .map { .init(intent: $0.label, score: $0.probability) }
        }
        let embedding = try encoder.embed([redacted])[0]
        return try intentRanking(retriever.retrieve(redacted, embedding: embedding, limit: 3))
    }

    /// The classifier's embedding of a redacted ticket: by its own encoder when it has one, else
    /// the retrieval embedding (computed here when not given).
    func intentEmbedding(_ redacted: String, retrieval: [Float]?) throws -> [Float] {
        if let classifierEncoder { return try classifierEncoder.embed([redacted])[0] }
        return try retrieval ?? encoder.embed([redacted])[0]
    }
}
