import Foundation
import TestSupport
import Testing
@testable import Tokenization

/// The pipeline stages on a small hand-written vocabulary.
struct PipelineTests {
    static let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "hello", "world",
                        ",", "!", "cafe", "你", "好", "i", "##̇", "a", "##b", "##a"]

    static func makeTokenizer(lowercase: Bool = true, stripAccents: Bool? = nil) throws -> (Tokenizer, URL) {
        let dir = try Fixtures.temporaryDirectory()
        try (vocab.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let config: [String: Any] = ["do_lower_case": lowercase, "strip_accents": stripAccents as Any? ?? NSNull()]
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        return (try Tokenizer.load(folder: dir), dir)
    }

    @Test func wordPieceSplitsGreedilyWithContinuationPrefix() throws {
        let (t, dir) = try Self.makeTokenizer()
        defer { try? FileManager.default.removeItem(at: dir) }
        let e = try t.encode("Unaffable")
        #expect(e.tokens == ["[CLS]", "un", "##aff", "##able", "[SEP]"])
        #expect(e.offsets == [.none, TokenOffset(0, 2), TokenOffset(2, 5), TokenOffset(5, 9), .none])
        #expect(e.specialTokensMask == [1, 0, 0, 0, 1])
    }

    @Test func unknownPiecesMakeTheWholeWordUnknown() throws {
        let (t, dir) = try Self.makeTokenizer()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try t.encode("unaffablex").tokens == ["[CLS]", "[UNK]", "[SEP]"])
        #expect(try t.encode("unaffablex").offsets[1] == TokenOffset(0, 10))
    }

    @Test func wordsOverTheCharacterLimitAreUnknown() throws {
        let (t, dir) = try Self.makeTokenizer()
        defer { try? FileManager.default.removeItem(at: dir) }
        let long = String(repeating: "ab", count: 50)  // 100 chars: still segmented
        #expect(try t.encode(long).count == 2 + 100)
        let tooLong = long + "a"  // 101 chars: [UNK]
        #expect(try t.encode(tooLong).tokens == ["[CLS]", "[UNK]", "[SEP]"])
    }

    @Test func normalizationKeepsOffsetsInOriginalCodePoints() throws {
        let (t, dir) = try Self.makeTokenizer()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Accent stripped, CJK spaced, zero-width space and control removed, emoji counts one code point.
        let e = try t.encode("😀 Café,\u{200B}你好\u{07}!")
        #expect(e.tokens == ["[CLS]", "[UNK]", "cafe", ",", "你", "好", "!", "[SEP]"])
        #expect(e.offsets.dropFirst().dropLast() == [TokenOffset(0, 1), TokenOffset(2, 6), TokenOffset(6, 7),
                                                      TokenOffset(8, 9), TokenOffset(9, 10), TokenOffset(11, 12)])
    }

    @Test func lowercaseExpansionMapsBothPiecesToTheSourceCharacter() throws {
        let (t, dir) = try Self.makeTokenizer(lowercase: true, stripAccents: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        // U+0130 lowercases to "i" + U+0307 when accents are kept.
        let e = try t.encode("\u{130}")
        #expect(e.tokens == ["[CLS]", "i", "##̇", "[SEP]"])
        #expect(e.offsets[1] == TokenOffset(0, 1) && e.offsets[2] == TokenOffset(0, 1))
    }

    @Test func literalSpecialTokensAreExtractedBeforeNormalization() throws {
        let (t, dir) = try Self.makeTokenizer()
        defer { try? FileManager.default.removeItem(at: dir) }
        let e = try t.encode("hello[MASK]world [mask]")
        #expect(e.tokens == ["[CLS]", "hello", "[MASK]", "world", "[UNK]", "[UNK]", "[UNK]", "[SEP]"])
        #expect(e.offsets[2] == TokenOffset(5, 11))
    }

    @Test func emptyAndWhitespaceOnlyTextsGiveOnlySpecialTokens() throws {
        let (t, dir) = try Self.makeTokenizer()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try t.encode("").tokens == ["[CLS]", "[SEP]"])
        #expect(try t.encode(" \t\n\u{3000}").tokens == ["[CLS]", "[SEP]"])
    }

    @Test func paddingToLongestAndFixedLengths() throws {
        let (t, dir) = try Self.makeTokenizer()
        defer { try? FileManager.default.removeItem(at: dir) }
        let batch = try t.encodeBatch(["hello", "hello world !"], padding: Padding())
        #expect(batch.map(\.count) == [5, 5])
        #expect(batch[0].ids == [2, 8, 3, 0, 0])
        #expect(batch[0].attentionMask == [1, 1, 1, 0, 0])
        #expect(batch[0].specialTokensMask == [1, 0, 1, 1, 1])
        var fixed = batch
        Padding(strategy: .fixed(8), direction: .left, padToMultipleOf: nil).apply(to: &fixed)
        #expect(fixed[1].ids == [0, 0, 0, 2, 8, 9, 11, 3])
        #expect(fixed[1].offsets[0] == .none)
    }

    @Test func truncationSplitsPairsLongestFirst() throws {
        let (t, dir) = try Self.makeTokenizer()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = "hello hello hello hello hello hello"  // 6 tokens
        let b = "world world"                          // 2 tokens
        let e = try t.encode(a, pair: b, truncation: Truncation(maxLength: 9))
        #expect(e.tokens == ["[CLS]", "hello", "hello", "hello", "hello", "[SEP]", "world", "world", "[SEP]"])
        #expect(e.typeIDs == [0, 0, 0, 0, 0, 0, 1, 1, 1])
        #expect(throws: TokenizationError.self) { try t.encode(a, truncation: Truncation(maxLength: 1)) }
    }
}
