import Foundation
import ModelRuntime
import RecordStore
import TestSupport
import Testing
import Vault
import GRDB
import AuditLog
@testable import AssistantCore

/// Knowledge-base validation with file:line errors, and PII masking.
struct KnowledgeBaseFileTests {
    static func load(_ lines: [String]) throws -> [Article] {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("kb.jsonl")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return try KnowledgeBaseFile.load(url.path)
    }

    static let good = #"{"id":"kb-a","title":"T","answer":"A.","intents":["x"],"examples":["q1"]}"#

    @Test func validFileLoads() throws {
        #expect(try Self.load([Self.good, "", #"{"id":"kb-b","title":"U","answer":"B.","intents":["y"]}"#]).map(\.id) == ["kb-a", "kb-b"])
    }

    @Test(arguments: [
        (#"{"id":"kb-a""#, 2, "not a JSON object"),
        (#"{"id":"KB A","title":"T","answer":"A","intents":["x"]}"#, 2, "field 'id'"),
        (#"{"id":"kb-a","title":"T","answer":"A","intents":["x"]}"#, 2, "already used on line 1"),
        (#"{"id":"kb-b","title":"","answer":"A","intents":["x"]}"#, 2, "field 'title': empty"),
        (#"{"id":"kb-b","title":"T","intents":["x"]}"#, 2, "field 'answer': missing"),
        (#"{"id":"kb-b","title":"T","answer":"A","intents":[]}"#, 2, "field 'intents': empty list"),
        (#"{"id":"kb-b","title":"T","answer":"A","intents":["Not Snake"]}"#, 2, "not snake_case"),
        (#"{"id":"kb-b","title":"T","answer":"A","intents":["x"],"examples":"q"}"#, 2, "not a list of strings"),
        (#"{"id":"kb-b","title":"T","answer":"A","intents":["x"],"tags":[]}"#, 2, "field 'tags': unknown field"),
    ])
    func badLinesNameFileLineAndField(line: String, number: Int, message: String) throws {
        #expect { try Self.load([Self.good, line]) } throws: { error in
            let text = "\(error)"
            return text.contains("kb.jsonl:\(number)") && text.contains(message)
        }
    }

    @Test func emptyFileIsAnError() throws {
        #expect(throws: KnowledgeBaseError.self) { try Self.load(["", "  "]) }
    }
}

struct PIIRedactorTests {
    @Test func masksEachKindAndChecksCardsAndIBANs() {
        let redactor = PIIRedactor()
        let text = "Mail jo.doe+x@mail.example or call +44 20 7946 0958; card 4111-1111-1111-1111, not 4111 1111 1111 1112; "
            + "IBAN GB82 WEST 1234 5698 7654 32 (bad: GB00 WEST 1234 5698 7654 32), from 192.168.10.1 and 2001:db8::ff00:42:8329"
        let (out, kinds) = redactor.redact(text)
        #expect(kinds == [.email, .phone, .card, .iban, .ip])
        for secret in ["jo.doe", "7946", "4111-1111-1111-1111", "GB82", "192.168.10.1"] { #expect(!out.contains(secret), "\(secret)") }
        #expect(out.contains("4111 1111 1111 1112"))  // fails Luhn: not a card
        #expect(out.contains("GB00 WEST"))            // fails mod-97: not an IBAN
        #expect(out.contains("[EMAIL]") && out.contains("[CARD]") && out.contains("[IBAN]"))
    }

    @Test func ordinaryNumbersStayAlone() {
        let (out, kinds) = PIIRedactor().redact("Order 12345 of 3 items cost €12.50 on 2026-11-30")
        #expect(kinds.isEmpty && out == "Order 12345 of 3 items cost €12.50 on 2026-11-30")
    }
}

/// The embedded demo knowledge base answered end to end with the real model.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct AnsweringTests {
    @Test func demoQuestionsAreAnsweredOrEscalatedSensibly() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let location = Fixtures.storeLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        let store = try AssistantStore(location: location, environment: [:])
        let encoder = try SentenceEncoder(folder: Fixtures.miniLM)
        let index = try KnowledgeIndex(path: home.appendingPathComponent("kb.sqlite").path)
        let articles = try KnowledgeBaseFile.load(Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path)
        #expect(articles.count >= 40)
        let first = try index.build(articles, encoder: encoder, modelID: "m")
        #expect(first.added == articles.count)
        var edited = articles
        edited[0].answer += " Updated."
        let second = try index.build(edited, encoder: encoder, modelID: "m")
        #expect(second.updated == 1 && second.unchanged == articles.count - 1 && second.version != first.version)

        let answerer = try Answerer(index: index, encoder: encoder, store: store, modelVersion: "m")
        let card = try answerer.answer("My new card still hasn't arrived after two weeks", actor: "test")
        #expect(card.decision == .answer && card.articleID == "kb-card-not-arrived")
        #expect(card.sources.first?.bm25Rank != nil && card.sources.first?.denseRank == 1)
        let weather = try answerer.answer("What's the weather in Paris tomorrow?", actor: "test")
        #expect(weather.decision == .escalate && weather.reason == .noSource)
        let pii = try answerer.answer("Charged twice! my card is 4111 1111 1111 1111", actor: "test")
        #expect(pii.decision == .escalate && pii.reason == .piiPolicy && pii.redacted == ["card"])
        #expect(throws: TicketError.empty) { try answerer.answer("  \n ", actor: "test") }
        let stored = try store.ticket(id: pii.ticketID!, actor: "test")
        #expect(stored?.text == "Charged twice! my card is 4111 1111 1111 1111" && stored?.status == .escalated)
        #expect(try store.secure.audit.entries(matching: .init(action: .inference)).count == 3)
        #expect(try store.secure.audit.verify().isIntact)
    }

    /// Two questions about different topics escalate as `multiple_questions` (one answer would
    /// leave the other unanswered); two questions about one topic, or a question and a greeting,
    /// are answered.
    @Test func twoTopicsInOneTicketEscalate() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let answerer = try BatchRunnerTests.demoClassifierAnswerer(home: home)
        for text in ["How long does a SEPA transfer take? And how much does it cost to send money to the US?",
                     "How do I freeze my card? And how do I change my PIN?"] {
            let result = try answerer.answer(text, actor: "test")
            #expect(result.decision == .escalate && result.reason == .multipleQuestions, "\(text) → \(result.reason as Any)")
        }
        for (text, article) in [("Where is my card? When will it arrive?", "kb-card-not-arrived"),
                                ("Can you help me? How long does a transfer take?", "kb-transfer-times"),
                                ("How long does a SEPA transfer take?", "kb-transfer-times")] {
            let result = try answerer.answer(text, actor: "test")
            #expect(result.decision == .answer && result.articleID == article, "\(text) → \(result.reason as Any)")
        }
    }

    /// A ticket in a language the encoder does not read escalates as `unsupported_language`,
    /// naming it, never as `out_of_scope`; English tickets say `english`.
    @Test func otherLanguagesEscalateAsUnsupported() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let (answerer, _, _) = try BatchRunnerTests.demoAnswerer(home: home)
        let french = try answerer.answer("Où est ma nouvelle carte ? Elle devait arriver hier.", actor: "test")
        #expect(french.decision == .escalate && french.reason == .unsupportedLanguage && french.language == "french")
        let russian = try answerer.answer("Где моя новая карта?", actor: "test")
        #expect(russian.reason == .unsupportedLanguage && russian.language == "cyrillic")
        let english = try answerer.answer("My new card still hasn't arrived after two weeks", actor: "test")
        #expect(english.decision == .answer && english.language == "english")
        // Personal data comes first: a card number in any language is a pii_policy escalation.
        let pii = try answerer.answer("Ma carte 4111 1111 1111 1111 est bloquée, pourquoi ?", actor: "test")
        #expect(pii.reason == .piiPolicy)
    }

    /// A reference number, a signature or a long quoted thread does not change the decision on
    /// the question, and the answer says what was removed; the stored ticket keeps every word.
    @Test func referencesSignaturesAndThreadsDoNotFlipTheDecision() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let (answerer, store, _) = try BatchRunnerTests.demoAnswerer(home: home)
        let question = "My new card still hasn't arrived after two weeks"
        let plain = try answerer.answer(question, actor: "test")
        #expect(plain.decision == .answer && plain.reading == nil)
        let quoted = (0..<120).map { "> Earlier message line \($0) about our previous conversation and the weather." }.joined(separator: "\n")
        let variants = [question + " (ref 2999)", question + "?\n\nKind regards,\nJane Doe\nFinance team, Acme Ltd",
                        "Hello again,\n" + quoted + "\n" + question + "?"]
        for text in variants {
            let result = try answerer.answer(text, actor: "test")
            #expect(result.decision == plain.decision && result.articleID == plain.articleID, "\(text.prefix(80)) → \(result.reason as Any)")
            #expect(result.reading != nil && !(result.reading?.summary.isEmpty ?? true))
            #expect(try store.ticket(id: result.ticketID!, actor: "test")?.text == text)
        }
    }
}

/// `HybridRetriever.denseRanking` is the dense list that `retrieve` fuses (benchmarks rank with it alone).
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct DenseRankingTests {
    /// The demo knowledge base indexed with all-MiniLM-L6-v2 in a temporary folder (remove `home` after).
    static func demoIndex() throws -> (home: URL, encoder: SentenceEncoder, index: KnowledgeIndex, articles: [Article]) {
        let home = try Fixtures.temporaryDirectory()
        let encoder = try SentenceEncoder(folder: Fixtures.miniLM)
        let index = try KnowledgeIndex(path: home.appendingPathComponent("kb.sqlite").path)
        let articles = try KnowledgeBaseFile.load(Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path)
        _ = try index.build(articles, encoder: encoder, modelID: "m")
        return (home, encoder, index, articles)
    }

    @Test func denseRankingIsTheDenseListOfRetrieve() throws {
        let (home, encoder, index, articles) = try Self.demoIndex()
        defer { try? FileManager.default.removeItem(at: home) }
        let retriever = try HybridRetriever(index: index, encoder: encoder)
        let question = "My new card still hasn't arrived after two weeks"
        let embedding = try encoder.embed([question])[0]
        let ranking = retriever.denseRanking(embedding)
        #expect(ranking.count == articles.count && Set(ranking.map(\.id)) == Set(articles.map(\.id)))
        #expect(zip(ranking, ranking.dropFirst()).allSatisfy { $0.cosine >= $1.cosine })
        #expect(ranking.first?.id == "kb-card-not-arrived")
        let sources = try retriever.retrieve(question, embedding: embedding, limit: articles.count)
        for source in sources {
            let position = ranking.firstIndex { $0.id == source.articleID }.map { $0 + 1 }
            #expect(source.denseRank == position.flatMap { $0 <= retriever.depth ? $0 : nil })
            #expect(abs(source.cosine - (ranking.first { $0.id == source.articleID }?.cosine ?? -2)) < 1e-12)
        }
    }
}

/// `assistant batch` logic: one line per row in order, error rows, resume without duplicates.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct BatchRunnerTests {
    /// An answerer over the demo knowledge base with a new store in `home`.
    static func demoAnswerer(home: URL) throws -> (Answerer, AssistantStore, [Article]) {
        let location = Fixtures.storeLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        let store = try AssistantStore(location: location, environment: [:])
        let encoder = try SentenceEncoder(folder: Fixtures.miniLM)
        let index = try KnowledgeIndex(path: home.appendingPathComponent("kb.sqlite").path)
        let articles = try KnowledgeBaseFile.load(Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path)
        _ = try index.build(articles, encoder: encoder, modelID: "m")
        return (try Answerer(index: index, encoder: encoder, store: store, modelVersion: "m"), store, articles)
    }

    /// The demo as `assistant ask` answers it: the demo knowledge base with the shipped classifier
    /// `data/classifier`, a new store in `home`.
    static func demoClassifierAnswerer(home: URL) throws -> Answerer {
        let (plain, store, _) = try demoAnswerer(home: home)
        let classifier = try IntentClassifier.load(folder: Fixtures.repositoryRoot.appendingPathComponent("data/classifier"))
        return try Answerer(index: plain.index, encoder: plain.encoder, store: store,
                            modelVersion: ModelLocator.version(of: Fixtures.miniLM), classifier: classifier)
    }

    @Test func resumesAfterATornLineWithoutDuplicatesOrGaps() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let (answerer, store, _) = try Self.demoAnswerer(home: home)
        let input = home.appendingPathComponent("tickets.jsonl")
        let rows = ["{\"text\": \"my card never arrived\"}", "not json", "{\"text\": \"how do I freeze my card\"}",
                    "{\"text\": \"\"}", "{\"text\": \"I want to close my account\"}", "{\"text\": \"why was my payment declined\"}"]
        try (rows.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let output = home.appendingPathComponent("answers.jsonl")
        let runner = BatchRunner(answerer: answerer, actor: "test")

        let first = try runner.run(source: TicketSource(path: input.path), output: output, resume: false)
        #expect(first.rows == 6 && first.failed == 2 && first.answered + first.escalated == 4)
        let complete = try String(contentsOf: output, encoding: .utf8)
        // Simulate a kill mid-write: keep three lines and half of the fourth, then resume.
        let lines = complete.split(separator: "\n", omittingEmptySubsequences: false)
        let torn = lines.prefix(3).joined(separator: "\n") + "\n" + lines[3].prefix(10)
        try torn.write(to: output, atomically: true, encoding: .utf8)
        let resumed = try runner.run(source: TicketSource(path: input.path), output: output, resume: true)
        #expect(resumed.skipped == 3 && resumed.rows == 6)
        let final = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(final.count == 6)
        let numbers = try final.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["row"] as? Int }
        #expect(numbers == [1, 2, 3, 4, 5, 6])
        func decisions<S: StringProtocol>(_ lines: [S]) throws -> [String] {
            try lines.map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                return ["row", "decision", "article_id", "ticket_id", "error"].map { "\(object[$0] ?? "-")" }.joined(separator: "|")
            }
        }
        #expect(try decisions(final) == decisions(complete.split(separator: "\n")))
        // Rows processed twice map to the same tickets: 4 usable rows, 4 tickets.
        let tickets = try store.secure.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tickets") }
        let answers = try store.secure.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM answers") }
        #expect(tickets == 4 && answers == 4)

        // Resuming into an output that is not there, or one that cannot be opened, names the file.
        let missing = home.appendingPathComponent("missing.jsonl")
        #expect(throws: BatchOutputError.nothingToResume(path: missing.path)) {
            try runner.run(source: TicketSource(path: input.path), output: missing, resume: true)
        }
        #expect(!FileManager.default.fileExists(atPath: missing.path))
        let folder = home.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(throws: BatchOutputError.self) {
            try runner.run(source: TicketSource(path: input.path), output: folder, resume: true)
        }
    }

    /// Each output line carries the row's file line, its own id, the answer text and its
    /// sources; a malformed CSV row is an error line of its own between its neighbours.
    @Test func batchLinesCarryTheIdTheAnswerAndTheSources() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let (answerer, _, articles) = try Self.demoAnswerer(home: home)
        let input = home.appendingPathComponent("export.csv")
        try "ticket;body\nT-1;how do I freeze my card\nT-2;\"unterminated\nT-3;\"my card never\narrived\"\n".write(to: input, atomically: true, encoding: .utf8)
        let output = home.appendingPathComponent("answers.jsonl")
        _ = try BatchRunner(answerer: answerer, actor: "test")
            .run(source: TicketSource(path: input.path, field: "body", idField: "ticket", delimiter: ";"), output: output, resume: false)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(lines.map { $0["row"] as? Int } == [2, 3, 4] && lines.map { $0["id"] as? String } == ["T-1", nil, "T-3"])
        #expect((lines[1]["error"] as? String)?.contains("malformed CSV") == true)
        for line in [lines[0], lines[2]] {
            let sources = try #require(line["sources"] as? [[String: Any]])
            #expect(!sources.isEmpty)
            if line["decision"] as? String == "answer" {
                let article = try #require(articles.first { $0.id == line["article_id"] as? String })
                #expect(line["answer"] as? String == article.answer && line["title"] as? String == article.title)
            } else {
                #expect(line["answer"] == nil)
            }
        }
    }
}

/// `assistant fit-policy`: the chosen thresholds have the best utility of the sweep, and each
/// row's utility is right − 4 × wrong.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct AnswerPolicyFitTests {
    @Test func theChosenThresholdsHaveTheBestUtility() throws {
        let (home, encoder, index, _) = try DenseRankingTests.demoIndex()
        defer { try? FileManager.default.removeItem(at: home) }
        let tickets = [("my card still has not been delivered", "card_delivery"), ("I can't remember my PIN", "pin_change"),
                       ("someone stole my wallet with my card in it", "lost_or_stolen_card"),
                       ("what is the capital of Peru", "oos"), ("recommend a good pizza place", "oos"),
                       ("how do I bake bread", "oos"), ("a label no article has", "unknown_intent")]
            .map { LabelledText(text: $0.0, intent: $0.1) }
        let fit = try AnswerPolicyFit(index: index, encoder: encoder, tickets: tickets, outOfScopeLabel: "oos", wrongCost: 4)
        #expect(fit.tickets == 6 && fit.inScope == 3 && fit.skipped == 1)
        #expect(fit.sweep.contains(fit.chosen) && fit.chosen.right > 0)
        #expect(fit.sweep.allSatisfy { $0.utility <= fit.chosen.utility })
        // Utility is right − 4 × wrong per ticket: check it against the row's other figures.
        for row in fit.sweep {
            let wrong = row.wrongShareOfAnswers * (1 - row.escalated)
            #expect(abs(row.utility - (row.right - 4 * wrong)) < 1e-9)
        }
        #expect(throws: ClassifierError.self) {
            try AnswerPolicyFit(index: index, encoder: encoder, tickets: [tickets[6]], outOfScopeLabel: "oos")
        }
    }
}
