import Foundation

/// Reads and validates a JSONL knowledge base: one article object per line (blank lines allowed).
public enum KnowledgeBaseFile {
    public static let maxTitle = 200, maxAnswer = 4000, maxExamples = 20, maxExample = 500

    /// All articles, or the first problem with its file, line and field.
    public static func load(_ path: String) throws -> [Article] {
        let reader = try LineReader(path: path, maxLineBytes: 1 << 20)
        var articles: [Article] = []
        var seen: [String: Int] = [:]
        while let line = try reader.next() {
            let number = reader.lineNumber
            if line.allSatisfy(\.isWhitespace) { continue }
            func fail(_ field: String?, _ problem: String) -> KnowledgeBaseError {
                KnowledgeBaseError(file: path, line: number, field: field, problem: problem)
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                throw fail(nil, "not a JSON object")
            }
            let known: Set<String> = ["id", "title", "answer", "intents", "examples"]
            if let unknown = object.keys.filter({ !known.contains($0) }).sorted().first {
                throw fail(unknown, "unknown field (expected \(known.sorted().joined(separator: ", ")))")
            }
            func string(_ field: String, max: Int) throws -> String {
                guard let value = object[field] as? String else { throw fail(field, "missing or not a string") }
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty else { throw fail(field, "empty") }
                guard trimmed.count <= max else { throw fail(field, "longer than \(max) characters") }
                return trimmed
            }
            func strings(_ field: String, required: Bool, maxCount: Int) throws -> [String] {
                guard let raw = object[field] else {
                    if required { throw fail(field, "missing") }
                    return []
                }
                guard let values = raw as? [String] else { throw fail(field, "not a list of strings") }
                guard values.count <= maxCount else { throw fail(field, "more than \(maxCount) entries") }
                let cleaned = values.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                if let index = cleaned.firstIndex(where: { $0.isEmpty || $0.count > maxExample }) {
                    throw fail("\(field)[\(index)]", "empty or longer than \(maxExample) characters")
                }
                if required && cleaned.isEmpty { throw fail(field, "empty list") }
                return cleaned
            }
            let id = try string("id", max: 100)
            guard id.range(of: "^kb-[a-z0-9-]+$", options: .regularExpression) != nil else {
                throw fail("id", "'\(id)' does not match ^kb-[a-z0-9-]+$")
            }
            if let previous = seen[id] { throw fail("id", "'\(id)' already used on line \(previous)") }
            seen[id] = number
            let intents = try strings("intents", required: true, maxCount: 5)
            if let bad = intents.first(where: { $0.range(of: "^[a-z0-9_]+$", options: .regularExpression) == nil }) {
                throw fail("intents", "'\(bad)' is not snake_case")
            }
            articles.append(Article(id: id, title: try string("title", max: maxTitle), answer: try string("answer", max: maxAnswer),
                                    intents: intents, examples: try strings("examples", required: false, maxCount: maxExamples)))
        }
        guard !articles.isEmpty else {
            throw KnowledgeBaseError(file: path, line: reader.lineNumber, field: nil, problem: "no articles")
        }
        return articles
    }
}
