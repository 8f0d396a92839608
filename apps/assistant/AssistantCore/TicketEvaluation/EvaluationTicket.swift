import Foundation

/// One ticket of a knowledge-base evaluation set (data/eval/README.md): the text and what a
/// right decision is — one of `expected`'s articles, or an escalation when `expected` is empty.
public struct EvaluationTicket: Codable, Sendable, Equatable {
    /// What makes the ticket hard (data/eval/README.md lists them with their counts).
    public enum Category: String, Codable, Sendable, CaseIterable {
        case paraphrase, typo, slang, angry, signature, long
        case referenceNumbers = "reference_numbers"
        case quotedThread = "quoted_thread"
        case twoQuestions = "two_questions"
        case outOfScope = "out_of_scope"
    }

    /// `tune` may choose thresholds; `report` is only reported.
    public enum Split: String, Codable, Sendable, CaseIterable {
        case tune, report
    }

    public var id: String
    public var text: String
    /// Article ids that are right answers (any of them); empty when no article is.
    public var expected: [String]
    /// Why a ticket without right answers escalates (`out_of_scope` in the demo set).
    var escalate: AnswerResult.Reason?
    /// For two-question tickets: the articles that answer the second question (also in `expected`).
    var secondExpected: [String]?
    public var category: Category
    public var split: Split

    enum CodingKeys: String, CodingKey {
        case id, text, expected, escalate, category, split
        case secondExpected = "second_expected"
    }

    /// Whether some article answers the ticket.
    public var answerable: Bool { !expected.isEmpty }
}

/// A problem with an evaluation set, naming the file and the line (from 1) where there is one.
public enum EvaluationSetError: Error, Equatable, CustomStringConvertible {
    case invalidTicket(source: String, line: Int, detail: String)
    case duplicateID(source: String, line: Int, id: String)
    case unknownArticle(ticket: String, article: String)
    case empty(source: String)

    public var description: String {
        switch self {
        case .invalidTicket(let source, let line, let detail): return "\(source):\(line): \(detail)"
        case .duplicateID(let source, let line, let id): return "\(source):\(line): id '\(id)' already used"
        case .unknownArticle(let ticket, let article): return "ticket \(ticket): expected article '\(article)' is not in the knowledge base"
        case .empty(let source): return "\(source): no tickets"
        }
    }
}

/// Reads an evaluation set (JSONL, one ticket a line, blank lines skipped).
public enum EvaluationTicketFile {
    /// - Throws: `InputError` for unreadable lines, `EvaluationSetError` for tickets that break
    ///   the schema (a ticket with neither `expected` articles nor `escalate`, or with both).
    public static func load(_ path: String) throws -> [EvaluationTicket] {
        let reader = try LineReader(path: path)
        var tickets: [EvaluationTicket] = [], ids = Set<String>()
        while let line = try reader.next() {
            if line.allSatisfy(\.isWhitespace) { continue }
            let ticket: EvaluationTicket
            do {
                ticket = try JSONDecoder().decode(EvaluationTicket.self, from: Data(line.utf8))
            } catch {
                throw EvaluationSetError.invalidTicket(source: path, line: reader.lineNumber, detail: "\(error)")
            }
            if ticket.answerable == (ticket.escalate != nil) {
                throw EvaluationSetError.invalidTicket(source: path, line: reader.lineNumber,
                                                       detail: "a ticket has either expected articles or an escalate reason")
            }
            if !Set(ticket.secondExpected ?? []).isSubset(of: ticket.expected) {
                throw EvaluationSetError.invalidTicket(source: path, line: reader.lineNumber, detail: "second_expected not in expected")
            }
            guard ids.insert(ticket.id).inserted else {
                throw EvaluationSetError.duplicateID(source: path, line: reader.lineNumber, id: ticket.id)
            }
            tickets.append(ticket)
        }
        guard !tickets.isEmpty else { throw EvaluationSetError.empty(source: path) }
        return tickets
    }

    /// Checks that every expected article is one of `articles`.
    public static func check(_ tickets: [EvaluationTicket], against articles: [Article]) throws(EvaluationSetError) {
        let known = Set(articles.map(\.id))
        for ticket in tickets {
            if let missing = ticket.expected.first(where: { !known.contains($0) }) {
                throw .unknownArticle(ticket: ticket.id, article: missing)
            }
        }
    }
}
