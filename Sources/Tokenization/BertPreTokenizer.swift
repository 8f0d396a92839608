/// The BERT pre-tokenizer: splits normalized text into words on whitespace (dropped) and
/// punctuation (each punctuation code point becomes a word of its own).
package struct BertPreTokenizer: Sendable, Equatable {
    package init() {}

    /// Calls `body` with each word's range of indices into `text.scalars`, in order.
    @inline(__always)
    func forEachWord(in text: NormalizedText, from start: Int = 0, _ body: (Range<Int>) -> Void) {
        let scalars = text.scalars
        var wordStart = -1
        var i = start
        let n = scalars.count
        while i < n {
            let c = scalars[i]
            if CharacterClass.isSplitWhitespace(c) {
                if wordStart >= 0 { body(wordStart..<i); wordStart = -1 }
            } else if CharacterClass.isPunctuation(c) {
                if wordStart >= 0 { body(wordStart..<i); wordStart = -1 }
                body(i..<(i + 1))
            } else if wordStart < 0 {
                wordStart = i
            }
            i += 1
        }
        if wordStart >= 0 { body(wordStart..<n) }
    }
}
