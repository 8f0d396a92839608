import Foundation

/// One labelled example: `{"text": ..., "intent": ...}`.
public struct LabelledText: Sendable, Equatable {
    public var text: String
    public var intent: String
}

/// Reads labelled JSONL, naming file and line in every error.
public enum LabelledTextFile {
    public static func load(_ path: String) throws -> [LabelledText] {
        let reader = try LineReader(path: path)
        var examples: [LabelledText] = []
        while let line = try reader.next() {
            if line.allSatisfy(\.isWhitespace) { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                throw InputError.invalidJSON(source: path, line: reader.lineNumber, detail: "not a JSON object")
            }
            guard let text = object["text"] as? String else {
                throw InputError.missingField(source: path, line: reader.lineNumber, field: "text")
            }
            guard let intent = object["intent"] as? String, !intent.isEmpty else {
                throw InputError.missingField(source: path, line: reader.lineNumber, field: "intent")
            }
            examples.append(LabelledText(text: text, intent: intent))
        }
        guard !examples.isEmpty else { throw ClassifierError.invalidExamples("\(path): no examples") }
        return examples
    }

    /// Training examples from a knowledge base: each article's title and examples, labelled
    /// with its first intent.
    public static func examples(from articles: [Article]) -> [LabelledText] {
        articles.flatMap { a in ([a.title] + a.examples).map { LabelledText(text: $0, intent: a.intents[0]) } }
    }
}
