import Evaluation
import Foundation

/// Chooses `AnswerPolicy`'s agreement thresholds on labelled evaluation tickets: the `tune`
/// split of the demo-KB set (docs/KNOWLEDGE-BASE.md, "Evaluation set"). The report split must
/// not be given to it.
///
/// The tickets are swept as written and again with seeded typos (`noise`), so that thresholds
/// that only hold for clean text are not chosen. Two pairs are chosen, each the pair of `grid`
/// with the most right answers among those whose wrong-answer rate has a Wilson 95% upper bound
/// within `maximumWrongShare` (a point estimate at the target would miss it on new tickets about
/// half the time; ties: the stricter pair, larger lead first):
/// - `agreed`: (`agreedLead`, `agreedPhrasingCosine`), the decision of `answer` with the classifier;
/// - `newIntent`: (`newIntentLead`, `newIntentPhrasingCosine`), simulated by taking the intents
///   of each ticket's best-ranked article as unknown to the classifier, so that retrieval alone
///   decides every ticket, as it does for an article indexed after the classifier was trained.
///
/// Tickets that escalate whatever the thresholds (card numbers or IBANs, another language) count
/// as escalated for every pair. The `multiple_questions` check after the decision is left out.
public struct AgreementSweep: Sendable {
    /// One threshold pair and what it does on the tickets.
    public struct Row: Codable, Sendable, Equatable {
        public var lead: Double
        public var phrasingCosine: Double
        public var right: Int
        public var wrong: Int
        public var escalated: Int
    }

    /// Fused-score leads 0.0…1.2 by 0.1 × phrasing cosines 0.45…0.75 by 0.05.
    public static let grid: [(lead: Double, phrasingCosine: Double)] = (0...12).flatMap { lead in
        (9...15).map { (Double(lead) / 10, Double($0) / 20) }
    }

    /// Tickets swept: the given ones, twice with `noise`.
    public let tickets: Int
    public let maximumWrongShare: Double
    public let agreed: Row
    public let newIntent: Row

    /// The demo policy with both chosen pairs.
    public var policy: AnswerPolicy {
        var p = AnswerPolicy()
        (p.agreedLead, p.agreedPhrasingCosine) = (agreed.lead, agreed.phrasingCosine)
        (p.newIntentLead, p.newIntentPhrasingCosine) = (newIntent.lead, newIntent.phrasingCosine)
        return p
    }

    /// - Parameters:
    ///   - answerer: with a classifier (its knowledge index and classifier are the ones swept).
    ///   - maximumWrongShare: the target wrong-answer rate over all tickets (the 2%),
    ///     which the Wilson upper bound must meet.
    ///   - noise: the typo generator of the second pass; nil sweeps the tickets as written only.
    /// - Throws: `ClassifierError.invalidExamples` without a classifier or without tickets.
    public init(tickets written: [EvaluationTicket], answerer: Answerer, maximumWrongShare: Double = 0.02,
                noise: TypoNoise? = TypoNoise(seed: 17)) throws {
        let tickets = written + (noise.map { noise in written.map { var t = $0; t.text = noise.apply(t.text, key: t.id); return t } } ?? [])
        guard let classifier = answerer.classifier else { throw ClassifierError.invalidExamples("the sweep needs an intent classifier") }
        guard !written.isEmpty else { throw ClassifierError.invalidExamples("no evaluation tickets to sweep") }
        let known = Set(classifier.labels)
        let intents = { (id: String) in try answerer.index.article(id: id)?.intents ?? [] }
        let evidence = try tickets.map { try answerer.evidence($0.text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let decided = evidence.map { e in
            e.redacted.contains(.card) || e.redacted.contains(.iban) || e.language != LanguageDetector.english
        }

        func row(_ lead: Double, _ phrasing: Double, _ answer: (Answerer.Evidence) throws -> String?) rethrows -> Row {
            var row = Row(lead: lead, phrasingCosine: phrasing, right: 0, wrong: 0, escalated: 0)
            for (ticket, (e, fixed)) in zip(tickets, zip(evidence, decided)) {
                guard !fixed, let article = try answer(e) else { row.escalated += 1; continue }
                if ticket.expected.contains(article) { row.right += 1 } else { row.wrong += 1 }
            }
            return row
        }
        var agreedRows: [Row] = [], newRows: [Row] = []
        for (lead, phrasing) in Self.grid {
            var policy = AnswerPolicy()
            (policy.agreedLead, policy.agreedPhrasingCosine) = (lead, phrasing)
            agreedRows.append(try row(lead, phrasing) { e in
                let (reason, source) = try policy.decision(e.prediction!, sources: e.sources, known: known, intents: intents)
                return reason == nil ? source?.articleID : nil
            })
            newRows.append(row(lead, phrasing) { e in
                AnswerPolicy.retrievalDoubt(e.sources, lead: lead, phrasingCosine: phrasing) == nil ? e.sources.first?.articleID : nil
            })
        }
        // The most wrong answers whose Wilson 95% upper bound stays within the target.
        let allowed = (0...tickets.count).last { ConfidenceInterval.wilson(successes: $0, total: tickets.count).upper <= maximumWrongShare } ?? -1
        func best(_ rows: [Row]) -> Row {
            rows.filter { $0.wrong <= allowed }
                .max { ($0.right, $0.lead, $0.phrasingCosine) < ($1.right, $1.lead, $1.phrasingCosine) }
                ?? rows.max { ($0.lead, $0.phrasingCosine) < ($1.lead, $1.phrasingCosine) }!
        }
        self.tickets = tickets.count
        self.maximumWrongShare = maximumWrongShare
        agreed = best(agreedRows)
        newIntent = best(newRows)
    }
}
