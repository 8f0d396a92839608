public import SuiteFoundation

/// What `assistant ask` decides for one ticket.
public struct AnswerResult: Codable, Sendable, Equatable {
    public enum Decision: String, Sendable, StrictStringEnum {
        case answer, escalate
    }

    /// Why a ticket goes to a human.
    public enum Reason: String, Sendable, StrictStringEnum {
        /// The ticket is not about anything the knowledge base covers.
        case outOfScope = "out_of_scope"
        /// The best match is too weak to answer from.
        case lowConfidence = "low_confidence"
        /// Two different topics match almost equally well.
        case ambiguous
        /// No article supports an answer.
        case noSource = "no_source"
        /// The ticket carries payment card numbers or IBANs: a human handles it through a secure channel.
        case piiPolicy = "pii_policy"
        /// The ticket asks two or more questions that different articles answer: one answer would
        /// leave the others unanswered.
        case multipleQuestions = "multiple_questions"
        /// The ticket is written in a language the encoder does not read (`language` names it).
        case unsupportedLanguage = "unsupported_language"
    }

    public struct IntentScore: Codable, Sendable, Equatable {
        public var intent: String
        public var score: Double
    }

    public var ticketID: String?
    public var decision: Decision
    public var reason: Reason?
    public var answer: String?
    public var articleID: String?
    public var title: String?
    /// Top intents with their scores (calibrated probabilities with a classifier, otherwise
    /// the retrieval's normalised fused scores).
    public var intents: [IntentScore]
    public var sources: [HybridRetriever.Source]
    /// Kinds of personal data found and masked before retrieval.
    public var redacted: [String]
    /// What was removed from the ticket before it was read (quoted history, signature, reference
    /// numbers, all but its question sentences); nil when it was read as written.
    public var reading: TicketReader.Notes?
    /// The ticket's language (`LanguageDetector`): `english`, or the one it escalated for.
    public var language: String?
    public var modelVersion: String
    public var kbVersion: String
}
