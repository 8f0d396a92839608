/// The WordPiece model: greedy longest-match-first segmentation of each word into vocabulary
/// entries, continuation pieces carrying a prefix (`##`), and words that cannot be segmented —
/// or that are longer than `maxInputCharsPerWord` code points — becoming the unknown token.
public struct WordPiece: Sendable {
    public let vocabulary: Vocabulary
    let unknownTokenID: Int32
    let continuingSubwordPrefix: String
    let maxInputCharsPerWord: Int

    private let trie: ScalarTrie
    /// Trie node reached by the continuation prefix, or `ScalarTrie.none`.
    private let continuationRoot: Int32

    init(vocabulary: Vocabulary, unknownToken: String, continuingSubwordPrefix: String,
         maxInputCharsPerWord: Int, path: String) throws {
        guard maxInputCharsPerWord > 0 else {
            throw TokenizationError.unsupported(
                path: path, field: "model.max_input_chars_per_word", value: String(maxInputCharsPerWord))
        }
        self.vocabulary = vocabulary
        self.unknownTokenID = try vocabulary.requireID(of: unknownToken, field: "model.unk_token", path: path)
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord

        var trie = ScalarTrie(expectedEdges: vocabulary.count * 4)
        let prefix = continuingSubwordPrefix.unicodeScalars.map(\.value)
        let prefixNode = trie.insert(prefix)
        for (id, token) in vocabulary.tokens.enumerated() {
            let node = trie.insert(token.unicodeScalars.lazy.map(\.value))
            trie.setTokenID(Int32(id), at: node)
        }
        self.trie = trie
        self.continuationRoot = prefix.isEmpty ? ScalarTrie.root : prefixNode
    }

    /// Segments `scalars[word]` and appends `(token id, first index, end index)` triples —
    /// indices into `scalars` — for each piece.
    @inline(__always)
    func tokenize(_ scalars: UnsafeBufferPointer<UInt32>, word: Range<Int>,
                  into pieces: inout [(id: Int32, start: Int, end: Int)]) {
        if word.count > maxInputCharsPerWord {
            pieces.append((unknownTokenID, word.lowerBound, word.upperBound))
            return
        }
        let mark = pieces.count
        var start = word.lowerBound
        while start < word.upperBound {
            var node = start == word.lowerBound ? ScalarTrie.root : continuationRoot
            var matchID = ScalarTrie.none
            var matchEnd = start
            var i = start
            while i < word.upperBound {
                node = trie.child(node, scalars[i])
                if node == ScalarTrie.none { break }
                i += 1
                let id = trie.tokenID(at: node)
                if id != ScalarTrie.none {
                    matchID = id
                    matchEnd = i
                }
            }
            if matchID == ScalarTrie.none {
                pieces.removeSubrange(mark...)
                pieces.append((unknownTokenID, word.lowerBound, word.upperBound))
                return
            }
            pieces.append((matchID, start, matchEnd))
            start = matchEnd
        }
    }
}
