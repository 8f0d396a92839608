import Foundation

/// A token ↔ id table (ids are dense, `0..<count`).
public struct Vocabulary: Sendable {
    /// Token text by id.
    public let tokens: [String]
    private let ids: [String: Int32]

    public var count: Int { tokens.count }

    /// Builds from token → id pairs (tokenizer.json's `model.vocab`), checking ids are dense and unique.
    init(idsByToken: [String: Int], path: String) throws {
        var tokens = [String?](repeating: nil, count: idsByToken.count)
        for (token, id) in idsByToken {
            guard id >= 0 && id < tokens.count else {
                throw TokenizationError.invalidVocabulary(
                    path: path, detail: "id \(id) of '\(token)' is outside 0..<\(tokens.count)")
            }
            if let other = tokens[id] {
                throw TokenizationError.invalidVocabulary(
                    path: path, detail: "id \(id) is given to both '\(other)' and '\(token)'")
            }
            tokens[id] = token
        }
        self.tokens = tokens.map { $0! }  // dense: count slots, count distinct ids in range
        self.ids = idsByToken.mapValues { Int32($0) }
    }

    /// Reads a vocab.txt: one token per line, the id is the line number from 0.
    init(vocabTextFile url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TokenizationError.unreadable(path: url.path, reason: "\(error.localizedDescription)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
        if lines.last == "" { lines.removeLast() }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(lines.count)
        for (index, token) in lines.enumerated() {
            guard !token.isEmpty else {
                throw TokenizationError.invalidVocabulary(path: url.path, detail: "line \(index + 1) is empty")
            }
            if ids[token] != nil {
                throw TokenizationError.invalidVocabulary(
                    path: url.path, detail: "line \(index + 1): '\(token)' appears twice")
            }
            ids[token] = Int32(index)
        }
        guard !lines.isEmpty else {
            throw TokenizationError.invalidVocabulary(path: url.path, detail: "the file is empty")
        }
        self.tokens = lines
        self.ids = ids
    }

    /// The id of `token`, or nil.
    public func id(of token: String) -> Int32? { ids[token] }

    /// The id of a token the configuration requires, or a typed error naming the field.
    func requireID(of token: String, field: String, path: String) throws -> Int32 {
        guard let id = ids[token] else {
            throw TokenizationError.unknownToken(path: path, field: field, token: token)
        }
        return id
    }
}
