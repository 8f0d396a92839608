/// How one decision of `Answerer.answer` scores against an `EvaluationTicket`.
public enum TicketOutcome: Sendable {
    /// Answered with one of the expected articles.
    case right
    /// Answered with an article that is not expected.
    case wrongArticle
    /// Answered a ticket no article answers.
    case answeredOutOfScope
    /// Escalated a ticket some article answers.
    case escalatedAnswerable
    /// Escalated a ticket no article answers.
    case outOfScopeCaught

    public init(_ ticket: EvaluationTicket, _ result: AnswerResult) {
        switch (result.decision, ticket.answerable) {
        case (.answer, true): self = result.articleID.map(ticket.expected.contains) == true ? .right : .wrongArticle
        case (.answer, false): self = .answeredOutOfScope
        case (.escalate, true): self = .escalatedAnswerable
        case (.escalate, false): self = .outOfScopeCaught
        }
    }
}

/// Counts of outcomes over a group of tickets, and the rates the evaluation reports.
public struct DecisionTally: Sendable {
    private var counts: [TicketOutcome: Int] = [:]
    private(set) var tickets = 0
    private(set) var answerable = 0

    public init() {}

    public mutating func add(_ outcome: TicketOutcome) {
        counts[outcome, default: 0] += 1
        tickets += 1
        if outcome == .right || outcome == .wrongArticle || outcome == .escalatedAnswerable { answerable += 1 }
    }

    subscript(_ outcome: TicketOutcome) -> Int { counts[outcome] ?? 0 }

    /// Wrong answers (a wrong article, or any article for an out-of-scope ticket).
    var wrong: Int { self[.wrongArticle] + self[.answeredOutOfScope] }
    /// Wrong answers as a share of all tickets (the target: ≤ 0.02).
    var wrongRate: Double { tickets > 0 ? Double(wrong) / Double(tickets) : 0 }
    /// Answers given, right or wrong.
    var answered: Int { self[.right] + wrong }

    /// The counts and rates as JSON values (rates as fractions, 0 when the group is empty).
    public var summary: [String: Any] {
        func share(_ n: Int, _ of: Int) -> Double { of > 0 ? Double(n) / Double(of) : 0 }
        let outOfScope = tickets - answerable
        return ["tickets": tickets, "answerable": answerable, "out_of_scope": outOfScope,
                "right": self[.right], "wrong": wrong, "wrong_article": self[.wrongArticle],
                "answered_out_of_scope": self[.answeredOutOfScope], "escalated_answerable": self[.escalatedAnswerable],
                "out_of_scope_caught": self[.outOfScopeCaught],
                "right_rate_of_answerable": share(self[.right], answerable), "wrong_rate": wrongRate,
                "wrong_share_of_answers": share(wrong, answered),
                "escalated_rate_of_answerable": share(self[.escalatedAnswerable], answerable),
                "out_of_scope_caught_rate": share(self[.outOfScopeCaught], outOfScope)]
    }
}
