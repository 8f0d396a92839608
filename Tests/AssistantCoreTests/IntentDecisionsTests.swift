import Evaluation
import Foundation
import ModelRuntime
import TestSupport
import Testing
@testable import AssistantCore

/// `IntentDecisions(classifierFolder:examples:...)`, the promotion gate's input for an intent
/// classifier: heads trained on the tiny random BERT of the fixtures (never MiniLM), read from
/// their folders and a labelled JSONL as `assistant eval` reads them; the gate's figures for a
/// model equal `assistant eval`'s.
struct IntentDecisionsTests {
    static let encoderFolder = Fixtures.url("bert/tiny")

    static let examples: [LabelledText] = {
        let intents = [("card", ["my card is lost", "the card does not work", "block my card", "card stolen"]),
                       ("transfer", ["send money to a friend", "the transfer is late", "how do i pay rent", "money sent twice"]),
                       ("password", ["i forgot my password", "reset the password", "cannot log in", "change my login"])]
        let inScope = intents.flatMap { intent, phrases in
            (0..<8).map { LabelledText(text: "\(phrases[$0 % phrases.count]) \(["please", "now", "today", "help"][$0 % 4])", intent: intent) }
        }
        let outOfScope = ["what is the weather", "tell me a joke", "who won the match", "recommend a film"]
            .map { LabelledText(text: $0, intent: "oos") }
        return inScope + outOfScope
    }()

    /// A classifier folder trained on `examples`; `headScale` scales the fitted head to make a
    /// second, different model.
    static func classifier(in folder: URL, encoder: SentenceEncoder, headScale: Float? = nil) throws -> URL {
        let vectors = try encoder.embed(examples.map(\.text))
        let data = zip(vectors, examples.map(\.intent)).map { ($0, $1) }
        let model = ModelLocator.version(of: encoderFolder)
        var (head, _) = try IntentTrainer.train(train: data, validation: data, embeddingModel: model)
        if let headScale {
            var options = IntentTrainer.Options()
            options.fixedHead = (head.weights.map { $0 * headScale }, head.bias.map { $0 * headScale })
            (head, _) = try IntentTrainer.train(train: data, validation: data, embeddingModel: model, options: options)
        }
        try head.write(folder: folder)
        return folder
    }

    @Test func decisionsAreWhatEvalMeasures() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let encoder = try SentenceEncoder(folder: Self.encoderFolder)
        let activeFolder = try Self.classifier(in: folder.appendingPathComponent("active"), encoder: encoder)
        let candidateFolder = try Self.classifier(in: folder.appendingPathComponent("candidate"), encoder: encoder, headScale: -1)
        let jsonl = folder.appendingPathComponent("frozen.jsonl")
        try Self.examples.map { #"{"text": "\#($0.text)", "intent": "\#($0.intent)"}"# }.joined(separator: "\n")
            .write(to: jsonl, atomically: true, encoding: .utf8)

        let active = try IntentDecisions(classifierFolder: activeFolder, examples: jsonl.path, outOfScopeLabel: "oos") { Self.encoderFolder }
        let candidate = try IntentDecisions(classifierFolder: candidateFolder, examples: jsonl.path, outOfScopeLabel: "oos") {
            Self.encoderFolder
        }
        #expect(active.truth == Self.examples.map(\.intent) && active.decisions.count == 28 && active.outOfScopeLabel == "oos")
        #expect(active.decisions.allSatisfy { (0...1).contains($0.topProbability) && $0.topLabel != "" })
        #expect(active.decisions != candidate.decisions)

        let evaluation = try IntentEvaluation(
            classifier: IntentClassifier.load(folder: activeFolder), encoder: encoder, examples: Self.examples, outOfScopeLabel: "oos")
        let report = try PromotionGate().compare(active: active, candidate: candidate)
        let accuracy = try #require(report.checks.first { $0.id == "mcnemar" })
        let oos = try #require(report.checks.first { $0.id == "oos_recall" })
        let ece = try #require(report.checks.first { $0.id == "ece" })
        #expect(accuracy.active == evaluation.accuracy)
        #expect(oos.active == evaluation.report.outOfScope?.outOfScopeRecall.value)
        #expect(abs(ece.active! - evaluation.ece!) < 1e-12)
        #expect(report.checks.map(\.id) == ["mcnemar", "recall:card", "recall:password", "recall:transfer", "oos_recall",
                                            "escalation_rate", "ece"])
        // The same model on both sides passes.
        #expect(try PromotionGate().compare(active: active, candidate: active).passed)
    }

    @Test func runsOnDifferentFilesAreRefused() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let encoder = try SentenceEncoder(folder: Self.encoderFolder)
        let classifier = try Self.classifier(in: folder.appendingPathComponent("model"), encoder: encoder)
        func write(_ examples: [LabelledText], _ name: String) throws -> String {
            let url = folder.appendingPathComponent(name)
            try examples.map { #"{"text": "\#($0.text)", "intent": "\#($0.intent)"}"# }.joined(separator: "\n")
                .write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let all = try IntentDecisions(classifierFolder: classifier, examples: write(Self.examples, "all.jsonl"),
                                      outOfScopeLabel: "oos") { Self.encoderFolder }
        let fewer = try IntentDecisions(classifierFolder: classifier, examples: write(Array(Self.examples.dropFirst(3)), "fewer.jsonl"),
                                        outOfScopeLabel: "oos") { Self.encoderFolder }
        #expect(throws: EvaluationError.lengthMismatch(what: "candidate model's examples", expected: 28, actual: 25)) {
            try PromotionGate().compare(active: all, candidate: fewer)
        }
        // An intent the classifier does not know is refused as `assistant eval` refuses it.
        #expect(throws: ClassifierError.invalidExamples("intent 'loan' is not one the classifier knows")) {
            try IntentDecisions(classifierFolder: classifier,
                                examples: write([LabelledText(text: "a loan please", intent: "loan")], "unknown.jsonl"),
                                outOfScopeLabel: "oos") { Self.encoderFolder }
        }
    }
}
