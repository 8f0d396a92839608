import Foundation
public import ModelRuntime

/// Chooses `AnswerPolicy`'s cosine thresholds on labelled tickets the knowledge base never
/// indexed (`assistant fit-policy`). A ticket whose intent some article carries is in scope, and
/// answering it with such an article is right; a ticket labelled out of scope has no right
/// answer; tickets with any other label are skipped (their right answer is unknown). Each
/// threshold triple of a grid is scored by its utility per ticket: +1 for a right answer,
/// −`wrongCost` for a wrong one, 0 for an escalation (a wrong answer sent to a customer costs more
/// than a human's look); the best utility wins, ties going to the stricter thresholds.
public struct AnswerPolicyFit: Encodable, Sendable {
    /// One triple of the sweep and what it does on the tickets.
    public struct Row: Codable, Sendable, Equatable {
        public var minimumSourceCosine: Double
        public var answerCosine: Double
        public var ambiguityMargin: Double
        /// Answered with an article of the ticket's intent, over all tickets.
        public var right: Double
        /// Answered, but not with an article of the ticket's intent (out-of-scope tickets included), over all answers.
        public var wrongShareOfAnswers: Double
        /// Escalated tickets, over all tickets.
        public var escalated: Double
        /// Right answers minus `wrongCost` × wrong answers, over all tickets.
        package var utility: Double
    }

    /// With a classifier: one pair of agreement thresholds and what it does (the retrieval thresholds unused).
    public struct ClassifierRow: Codable, Sendable, Equatable {
        public var agreedLead: Double
        public var agreedPhrasingCosine: Double
        public var right: Double
        public var wrongShareOfAnswers: Double
        public var escalated: Double
        package var utility: Double
    }

    public var tickets: Int
    public var inScope: Int
    /// Tickets left out: labelled with an intent that is neither an article's nor the out-of-scope label.
    public var skipped: Int
    /// What a wrong answer costs, in right answers (an escalation costs 0).
    var wrongCost: Double
    public var chosen: Row
    package var sweep: [Row]
    /// The classifier's sweep and choice, when a classifier was given.
    public var classifierChosen: ClassifierRow?
    var classifierSweep: [ClassifierRow]?

    /// The policy of the chosen row (the ticket length limit stays the default).
    public var policy: AnswerPolicy {
        var p = AnswerPolicy()
        p.minimumSourceCosine = chosen.minimumSourceCosine
        p.answerCosine = chosen.answerCosine
        p.ambiguityMargin = chosen.ambiguityMargin
        if let classifierChosen { (p.agreedLead, p.agreedPhrasingCosine) = (classifierChosen.agreedLead, classifierChosen.agreedPhrasingCosine) }
        return p
    }

    /// - Parameters:
    ///   - tickets: labelled texts (`intent` is the ticket's true intent, which may be one no article carries).
    ///   - wrongCost: what a wrong answer costs, in right answers (≥ 0).
    ///   - classifier: also fit `classifierSourceCosine` with this classifier and its encoder
    ///     (nil: the retrieval encoder).
    /// - Throws: `ClassifierError.invalidExamples` when no ticket is left to fit on.
    public init(index: KnowledgeIndex, encoder: SentenceEncoder, tickets labelled: [LabelledText], outOfScopeLabel: String,
                wrongCost: Double = 4,
                classifier: (classifier: IntentClassifier, encoder: SentenceEncoder?)? = nil) throws {
        precondition(wrongCost >= 0, "AnswerPolicyFit: a cost is not negative")
        let retriever = try HybridRetriever(index: index, encoder: encoder)
        let redactor = PIIRedactor()
        var intentsByArticle: [String: [String]] = [:]
        func intents(_ id: String) throws -> [String] {
            if let known = intentsByArticle[id] { return known }
            let found = try index.article(id: id)?.intents ?? []
            intentsByArticle[id] = found
            return found
        }
        let allIntents = try Set(index.embeddings().flatMap { try intents($0.id) })
        let tickets = labelled.filter { allIntents.contains($0.intent) || $0.intent == outOfScopeLabel }
        guard !tickets.isEmpty else {
            throw ClassifierError.invalidExamples("no ticket is labelled with an article's intent or '\(outOfScopeLabel)'")
        }
        skipped = labelled.count - tickets.count
        let texts = tickets.map { redactor.redact($0.text).text }
        let embeddings = try encoder.embed(texts)
        let retrieved = try zip(texts, embeddings).map { try retriever.retrieve($0, embedding: $1, limit: 3) }
        inScope = tickets.filter { allIntents.contains($0.intent) }.count
        /// Scores one policy: `answer(i)` is the article ticket `i` is answered with, nil when escalated.
        func tally(_ answer: (Int) throws -> String?) throws -> (right: Double, wrongShare: Double, escalated: Double, utility: Double) {
            var right = 0, wrong = 0, escalated = 0
            for (i, ticket) in tickets.enumerated() {
                guard let article = try answer(i) else { escalated += 1; continue }
                if try intents(article).contains(ticket.intent) { right += 1 } else { wrong += 1 }
            }
            let n = Double(tickets.count)
            return (Double(right) / n, right + wrong > 0 ? Double(wrong) / Double(right + wrong) : 0, Double(escalated) / n,
                    (Double(right) - wrongCost * Double(wrong)) / n)
        }

        var rows: [Row] = []
        let grid = stride(from: 0.20, through: 0.70, by: 0.05).map { ($0 * 100).rounded() / 100 }
        for minimum in grid {
            for answer in grid where answer >= minimum {
                for margin in [0.0, 0.01, 0.02, 0.05] {
                    var policy = AnswerPolicy()
                    (policy.minimumSourceCosine, policy.answerCosine, policy.ambiguityMargin) = (minimum, answer, margin)
                    let t = try tally { i in
                        try policy.escalation(retrieved[i], intents: intents) == nil ? retrieved[i][0].articleID : nil
                    }
                    rows.append(Row(minimumSourceCosine: minimum, answerCosine: answer, ambiguityMargin: margin, right: t.right,
                                    wrongShareOfAnswers: t.wrongShare, escalated: t.escalated, utility: t.utility))
                }
            }
        }
        if let (head, ownEncoder) = classifier {
            let vectors = try ownEncoder.map { try $0.embed(texts) } ?? embeddings
            let predictions = vectors.map { head.predict($0) }
            var rows: [ClassifierRow] = []
            for (lead, phrasing) in AgreementSweep.grid {
                var policy = AnswerPolicy()
                (policy.agreedLead, policy.agreedPhrasingCosine) = (lead, phrasing)
                let t = try tally { i in
                    let (reason, source) = try policy.decision(predictions[i], sources: retrieved[i], known: Set(head.labels), intents: intents)
                    return reason == nil ? source?.articleID : nil
                }
                rows.append(ClassifierRow(agreedLead: lead, agreedPhrasingCosine: phrasing, right: t.right,
                                          wrongShareOfAnswers: t.wrongShare, escalated: t.escalated, utility: t.utility))
            }
            // Ties: the stricter thresholds.
            classifierChosen = rows.max { ($0.utility, $0.agreedLead, $0.agreedPhrasingCosine) < ($1.utility, $1.agreedLead, $1.agreedPhrasingCosine) }!
            classifierSweep = rows
        }
        func order(_ r: Row) -> (Double, Double, Double, Double) { (r.utility, r.answerCosine, r.minimumSourceCosine, r.ambiguityMargin) }
        chosen = rows.max { order($0) < order($1) }!  // ties: the stricter thresholds
        self.tickets = tickets.count
        self.wrongCost = wrongCost
        sweep = rows
    }
}
