import Foundation
import ModelRuntime
import TestSupport
import Testing
@testable import AssistantCore

/// The hand-written evaluation set of the demo knowledge base (data/eval/README.md).
struct EvaluationSetTests {
    static let setPath = Fixtures.repositoryRoot.appendingPathComponent("data/eval/demo-kb-tickets.jsonl").path
    static let kbPath = Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path

    @Test func setFollowsItsSchema() throws {
        let tickets = try EvaluationTicketFile.load(Self.setPath)
        let articles = try KnowledgeBaseFile.load(Self.kbPath)
        try EvaluationTicketFile.check(tickets, against: articles)
        #expect(tickets.count >= 400)
        #expect(Set(tickets.map(\.split)) == Set(EvaluationTicket.Split.allCases))
        #expect(Set(tickets.map(\.category)) == Set(EvaluationTicket.Category.allCases))
        #expect(Set(tickets.flatMap(\.expected)) == Set(articles.map(\.id)), "every article is expected somewhere")
        #expect(tickets.filter { $0.category == .outOfScope }.count >= 80)
        #expect(tickets.allSatisfy { $0.category == .outOfScope ? $0.escalate == .outOfScope : $0.answerable })
        #expect(tickets.filter { $0.category == .twoQuestions }.allSatisfy { !($0.secondExpected ?? []).isEmpty })
    }

    @Test func brokenTicketsNameTheLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("set.jsonl")
        let good = #"{"id":"t1","text":"a","expected":["kb-a"],"category":"typo","split":"tune"}"#
        for (line, message) in [(#"{"id":"t2","text":"b","expected":[],"category":"typo","split":"tune"}"#, "set.jsonl:3: a ticket has"),
                                (#"{"id":"t1","text":"b","expected":["kb-a"],"category":"typo","split":"report"}"#, "id 't1' already used"),
                                (#"{"id":"t2","text":"b","expected":["kb-a"],"category":"rude","split":"tune"}"#, "set.jsonl:3:")] {
            try [good, "", line].joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            #expect { try EvaluationTicketFile.load(file.path) } throws: { "\($0)".contains(message) }
        }
        let ticket = try #require(try? JSONDecoder().decode(EvaluationTicket.self, from: Data(good.utf8)))
        #expect(throws: EvaluationSetError.unknownArticle(ticket: "t1", article: "kb-a")) {
            try EvaluationTicketFile.check([ticket], against: [])
        }
    }

    @Test func typoNoiseIsSeededAndSmall() {
        let noise = TypoNoise(seed: 17)
        let text = "My card payment was declined at the supermarket yesterday"
        let noisy = noise.apply(text, key: "t1")
        #expect(noisy == noise.apply(text, key: "t1") && noisy != text)
        #expect(abs(noisy.count - text.count) <= 2)
        let changed = zip(text.split(separator: " "), noisy.split(separator: " ")).filter { $0 != $1 }.count
        #expect((1...2).contains(changed))
        #expect(noise.apply("ok, yes", key: "t1") == "ok, yes")
    }
}

/// The report split answered through `Answerer.answer` with the demo classifier, as `assistant ask` does.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct DemoKBEvaluationTests {
    /// The report split's tickets and their decisions, each text first passed through `transform`.
    static func answerReportSplit(_ transform: (EvaluationTicket) -> String = \.text) throws -> [(EvaluationTicket, AnswerResult)] {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let answerer = try BatchRunnerTests.demoClassifierAnswerer(home: home)
        return try EvaluationTicketFile.load(EvaluationSetTests.setPath).filter { $0.split == .report }.map {
            ($0, try answerer.answer(transform($0), actor: "test"))
        }
    }

    /// The issue's target: at most 2% of the report split's tickets get a wrong article (the
    /// split chose nothing: the thresholds come from the tune split, `policyIsTheTuneSplitFit`).
    @Test func reportSplitHasFewWrongAnswers() throws {
        var tally = DecisionTally()
        for (ticket, result) in try Self.answerReportSplit() { tally.add(TicketOutcome(ticket, result)) }
        print("demo KB, report split: \(tally.summary)")
        #expect(tally.tickets >= 200)
        #expect(tally.wrongRate <= 0.02, "\(tally.wrong) wrong of \(tally.tickets)")
        // Escalating everything would meet the target: most answerable tickets are still answered.
        #expect(Double(tally[.right]) >= 0.6 * Double(tally.answerable), "\(tally[.right]) right of \(tally.answerable)")
    }

    /// `AnswerPolicy`'s agreement thresholds are what `AgreementSweep` chooses on the tune split.
    @Test func policyIsTheTuneSplitFit() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let answerer = try BatchRunnerTests.demoClassifierAnswerer(home: home)
        let tune = try EvaluationTicketFile.load(EvaluationSetTests.setPath).filter { $0.split == .tune }
        let sweep = try AgreementSweep(tickets: tune, answerer: answerer)
        #expect(sweep.policy == AnswerPolicy(), "tune split fit: agreed \(sweep.agreed), new intent \(sweep.newIntent)")
        #expect(Double(sweep.agreed.wrong) <= 0.015 * Double(tune.count) && Double(sweep.newIntent.wrong) <= 0.015 * Double(tune.count))
    }

    /// Seeded spelling noise (`TypoNoise`, seed 17: one edit in each of 1–2 words per ticket)
    /// over the report split: the share of decisions (answer and article, or escalation) that
    /// differ from the clean ticket's. Measured 5 of 209 (2.4%) with `SpellingCorrector`, 39
    /// without it; the bound leaves room for a few borderline tickets only.
    @Test func typosRarelyFlipTheDecision() throws {
        let noise = TypoNoise(seed: 17)
        let clean = try Self.answerReportSplit()
        let noisy = try Self.answerReportSplit { noise.apply($0.text, key: $0.id) }
        let flipped = zip(clean, noisy).filter { $0.1.decision != $1.1.decision || $0.1.articleID != $1.1.articleID }
        let rate = Double(flipped.count) / Double(clean.count)
        print("demo KB, report split with typos: \(flipped.count) of \(clean.count) decisions flip: "
              + flipped.map(\.0.0.id).joined(separator: ", "))
        #expect(rate <= 0.04, "\(flipped.count) of \(clean.count) flip")
    }
}
