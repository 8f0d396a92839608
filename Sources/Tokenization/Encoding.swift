/// A character range `[start, end)` in Unicode scalar (code point) positions of the input.
package struct TokenOffset: Equatable, Hashable, Sendable, Codable {
    package var start: Int
    package var end: Int

    package init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }

    /// Special and padding tokens come from no input text.
    package static let none = TokenOffset(0, 0)
}

/// The output of the tokenizer for one input (or one pair of inputs), all arrays of equal length.
public struct Encoding: Equatable, Sendable {
    /// Vocabulary ids.
    package var ids: [Int32] = []
    /// Token text as in the vocabulary.
    public var tokens: [String] = []
    /// Source range of each token in its own input text; `(0, 0)` for special and padding tokens.
    package var offsets: [TokenOffset] = []
    /// 0 for the first sequence (and its special tokens), 1 for the second, per the template.
    package var typeIDs: [Int32] = []
    /// 1 for real tokens, 0 for padding.
    package var attentionMask: [Int32] = []
    /// 1 for tokens added by the post-processor or padding, 0 for tokens from the input.
    package var specialTokensMask: [Int32] = []

    public init() {}

    public var count: Int { ids.count }

    mutating func reserveCapacity(_ n: Int) {
        ids.reserveCapacity(n); tokens.reserveCapacity(n); offsets.reserveCapacity(n)
        typeIDs.reserveCapacity(n); attentionMask.reserveCapacity(n); specialTokensMask.reserveCapacity(n)
    }

    mutating func append(id: Int32, token: String, offset: TokenOffset, typeID: Int32, special: Bool) {
        ids.append(id)
        tokens.append(token)
        offsets.append(offset)
        typeIDs.append(typeID)
        attentionMask.append(1)
        specialTokensMask.append(special ? 1 : 0)
    }

    /// Keeps `length` tokens: the first ones (`.right`) or the last ones (`.left`).
    mutating func truncate(to length: Int, direction: Truncation.Direction) {
        guard count > length else { return }
        let keep = direction == .right ? 0..<length : (count - length)..<count
        ids = Array(ids[keep]); tokens = Array(tokens[keep]); offsets = Array(offsets[keep])
        typeIDs = Array(typeIDs[keep]); attentionMask = Array(attentionMask[keep])
        specialTokensMask = Array(specialTokensMask[keep])
    }
}
