/// Special tokens written literally in the input (e.g. "[SEP]"), which the reference extracts
/// from the raw text before normalization and maps straight to their ids.
struct AddedTokens: Sendable {
    struct Token: Sendable {
        let id: Int32
        let content: String
        let scalars: [UInt32]
    }

    /// Tokens matched against the original text, longest first for leftmost-longest matching.
    private let tokens: [Token]
    private let firstScalars: Set<UInt32>

    init(_ tokens: [Token]) {
        self.tokens = tokens.filter { !$0.scalars.isEmpty }.sorted { $0.scalars.count > $1.scalars.count }
        self.firstScalars = Set(self.tokens.map { $0.scalars[0] })
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Calls `segment` for each stretch of ordinary text and `token` for each literal special
    /// token, in order, with ranges of code point indices into `text`.
    func split(_ text: UnsafeBufferPointer<UInt32>,
               segment: (Range<Int>) -> Void, token: (Token, Range<Int>) -> Void) {
        var segmentStart = 0
        var i = 0
        let n = text.count
        while i < n {
            if firstScalars.contains(text[i]), let match = longestMatch(in: text, at: i) {
                if segmentStart < i { segment(segmentStart..<i) }
                token(match, i..<(i + match.scalars.count))
                i += match.scalars.count
                segmentStart = i
            } else {
                i += 1
            }
        }
        if segmentStart < n { segment(segmentStart..<n) }
    }

    private func longestMatch(in text: UnsafeBufferPointer<UInt32>, at i: Int) -> Token? {
        for candidate in tokens where candidate.scalars.count <= text.count - i {
            var matches = true
            for (k, c) in candidate.scalars.enumerated() where text[i + k] != c {
                matches = false
                break
            }
            if matches { return candidate }
        }
        return nil
    }
}
