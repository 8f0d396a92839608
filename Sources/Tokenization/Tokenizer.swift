/// A BERT WordPiece tokenizer: added-token extraction → normalizer → pre-tokenizer →
/// WordPiece → (truncation) → post-processor → (padding).
///
/// `encode` applies truncation and padding only when asked: the file's own settings are
/// exposed as `configuredTruncation` and `configuredPadding` for callers that want them.
/// A `Tokenizer` is immutable and safe to share between threads.
public struct Tokenizer: Sendable {
    package let normalizer: BertNormalizer?
    let preTokenizer: BertPreTokenizer?
    public let model: WordPiece
    let postProcessor: PostProcessor?
    /// Truncation configured in the tokenizer file, not applied by default.
    package let configuredTruncation: Truncation?
    /// Padding configured in the tokenizer file, not applied by default.
    package let configuredPadding: Padding?
    let addedTokens: AddedTokens

    public var vocabulary: Vocabulary { model.vocabulary }

    init(normalizer: BertNormalizer?, preTokenizer: BertPreTokenizer?, model: WordPiece,
         postProcessor: PostProcessor?, addedTokens: AddedTokens,
         configuredTruncation: Truncation?, configuredPadding: Padding?) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.addedTokens = addedTokens
        self.configuredTruncation = configuredTruncation
        self.configuredPadding = configuredPadding
    }

    /// Number of special tokens the post-processor adds.
    package func addedTokenCount(isPair: Bool) -> Int {
        postProcessor?.addedTokens(isPair: isPair) ?? 0
    }

    /// Encodes one text or a pair of texts.
    ///
    /// - Parameters:
    ///   - truncation: applied to the sequences so that the result, special tokens included,
    ///     has at most `truncation.maxLength` tokens.
    /// - Throws: `TokenizationError.invalidArgument` when truncation cannot be satisfied.
    /// - Returns: offsets in code point positions of the respective input text.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true,
                       truncation: Truncation? = nil) throws -> Encoding {
        var first = encodeSequence(text)
        var second = pair.map(encodeSequence)
        let added = addSpecialTokens ? addedTokenCount(isPair: pair != nil) : 0
        if let truncation {
            try truncation.apply(&first, &second, addedTokens: added)
        }
        guard addSpecialTokens, let postProcessor else {
            guard let second else { return first }
            var merged = first
            merged.ids += second.ids; merged.tokens += second.tokens; merged.offsets += second.offsets
            merged.typeIDs += repeatElement(1, count: second.count)
            merged.attentionMask += second.attentionMask
            merged.specialTokensMask += second.specialTokensMask
            return merged
        }
        return postProcessor.process(first, second)
    }

    /// Encodes a batch and pads it when `padding` is given.
    package func encodeBatch(_ texts: [String], truncation: Truncation? = nil,
                            padding: Padding? = nil) throws -> [Encoding] {
        var encodings = try texts.map { try encode($0, truncation: truncation) }
        padding?.apply(to: &encodings)
        return encodings
    }

    /// Tokens of one sequence, without special tokens.
    func encodeSequence(_ text: String) -> Encoding {
        let input = text.unicodeScalars.map(\.value)
        var encoding = Encoding()
        encoding.reserveCapacity(input.count / 3 + 4)
        var normalized = NormalizedText(reservingCapacity: input.count + 8)
        var pieces: [(id: Int32, start: Int, end: Int)] = []
        input.withUnsafeBufferPointer { buffer in
            func addSegment(_ range: Range<Int>) {
                normalized.removeAll()
                if let normalizer {
                    normalizer.normalize(buffer, range: range, into: &normalized)
                } else {
                    for i in range { normalized.append(buffer[i], origin: i) }
                }
                appendWordPieces(of: normalized, pieces: &pieces, to: &encoding)
            }
            if addedTokens.isEmpty {
                addSegment(0..<buffer.count)
            } else {
                addedTokens.split(buffer, segment: addSegment) { token, range in
                    encoding.append(id: token.id, token: token.content,
                                    offset: TokenOffset(range.lowerBound, range.upperBound),
                                    typeID: 0, special: false)
                }
            }
        }
        return encoding
    }

    private func appendWordPieces(of text: NormalizedText, pieces: inout [(id: Int32, start: Int, end: Int)],
                                  to encoding: inout Encoding) {
        text.scalars.withUnsafeBufferPointer { scalars in
            func emit(_ word: Range<Int>) {
                pieces.removeAll(keepingCapacity: true)
                model.tokenize(scalars, word: word, into: &pieces)
                for piece in pieces {
                    let start = Int(text.origins[piece.start])
                    let end = Int(text.origins[piece.end - 1]) + 1
                    encoding.append(id: piece.id, token: model.vocabulary.tokens[Int(piece.id)],
                                    offset: TokenOffset(start, end), typeID: 0, special: false)
                }
            }
            if let preTokenizer {
                preTokenizer.forEachWord(in: text, emit)
            } else if !scalars.isEmpty {
                emit(0..<scalars.count)
            }
        }
    }
}
