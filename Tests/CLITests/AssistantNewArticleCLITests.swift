import Foundation
import TestSupport
import Testing

/// An article whose intent the classifier has never seen is answered from the moment it is
/// indexed (retrieval alone), `index` names the unknown intent with the command that teaches it,
/// and `index --train` teaches it: the classifier then ranks the new intent first.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct AssistantNewArticleCLITests {
    static let loans = #"{"id": "kb-personal-loans", "title": "Personal loans", "answer": "You can borrow from 1,000 to 25,000 euros over 1 to 7 years. Apply in the app under Borrow → Personal loan; we answer within one working day.", "intents": ["loans"], "examples": ["can I get a personal loan", "how much money can I borrow", "I want to apply for a loan", "what is the interest rate on your loans", "how long can I take to repay a loan"]}"#

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aNewArticleIsAnsweredAtOnceAndIndexTrainTeachesItsIntent() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home").path
        let kb = dir.appendingPathComponent("kb.jsonl")
        let demo = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl"), encoding: .utf8)
        try (demo + (demo.hasSuffix("\n") ? "" : "\n") + Self.loans + "\n").write(to: kb, atomically: true, encoding: .utf8)
        let common = ["--home", home, "--model", Fixtures.miniLM.path]
        #expect(try CommandRunner.run("assistant", ["keys", "init", "--home", home]).status == 0)

        let index = try CommandRunner.run("assistant", ["index", "--kb", kb.path] + common)
        #expect(index.status == 0, "\(index.stderr)")
        #expect(index.stderr.contains("does not know loans (1 article)") && index.stderr.contains("index --kb \(kb.path)")
                && index.stderr.contains("--train"), "\(index.stderr)")

        // One of the article's own examples, asked before any retraining: answered with it.
        let before = try CommandRunner.run("assistant", ["ask", "--json", "how much money can I borrow"] + common)
        let asked = try Self.json(before.stdout)
        #expect(asked["decision"] as? String == "answer" && asked["articleID"] as? String == "kb-personal-loans", "\(before.stdout)")

        let trained = try CommandRunner.run("assistant", ["index", "--kb", kb.path, "--train"] + common)
        #expect(trained.status == 0 && trained.stdout.contains("trained 47 intents"), "\(trained.stdout) \(trained.stderr)")
        #expect(FileManager.default.fileExists(atPath: home + "/classifier/classifier.json"))
        let again = try CommandRunner.run("assistant", ["index", "--kb", kb.path] + common)
        #expect(again.status == 0 && !again.stderr.contains("does not know"), "\(again.stderr)")

        let after = try Self.json(try CommandRunner.run("assistant", ["ask", "--json", "I would like to borrow some money"] + common).stdout)
        #expect(after["articleID"] as? String == "kb-personal-loans")
        #expect(((after["intents"] as? [[String: Any]])?.first?["intent"] as? String) == "loans", "\(after)")
    }
}
