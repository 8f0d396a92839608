import Crypto
import Foundation
import SuiteFoundation

/// A help-centre article of the knowledge base (docs/KNOWLEDGE-BASE.md).
public struct Article: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var answer: String
    public var intents: [String]
    /// Questions customers ask that this article answers (optional).
    public var examples: [String]

    public init(id: String, title: String, answer: String, intents: [String], examples: [String] = []) {
        self.id = id
        self.title = title
        self.answer = answer
        self.intents = intents
        self.examples = examples
    }

    /// What the sentence encoder embeds for dense retrieval.
    var embeddingText: String { ([title] + examples).joined(separator: "\n") }

    /// The texts also embedded one by one (`RetrievalFusion`'s phrasing signal): title and examples.
    var phrasings: [String] { [title] + examples }

    /// A hash of everything indexed, so unchanged articles are not embedded again.
    var contentHash: String {
        let data = try! JSONOutput.data(self)
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

/// Errors in a knowledge-base file, each naming the file, line and field.
package struct KnowledgeBaseError: Error, Equatable, CustomStringConvertible {
    package let file: String
    package let line: Int
    package let field: String?
    package let problem: String

    package var description: String {
        "\(file):\(line)\(field.map { ": field '\($0)'" } ?? ""): \(problem)"
    }
}
