import Foundation
import TestSupport
import Testing
@testable import Tokenization

/// Parity with HF tokenizers on the committed golden file made by
/// tools/fixtures/tokenizer_golden.py (≥ 300 strings, pairs, with and without truncation).
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct GoldenParityTests {
    struct Expected: Decodable {
        let ids: [Int32]
        let tokens: [String]
        let offsets: [[Int]]
        let typeIDs: [Int32]
        let attentionMask: [Int32]
        let specialTokensMask: [Int32]
        enum CodingKeys: String, CodingKey {
            case ids, tokens, offsets
            case typeIDs = "type_ids", attentionMask = "attention_mask", specialTokensMask = "special_tokens_mask"
        }
    }

    struct Single: Decodable {
        let category: String
        let text: String
        let full: Expected
        let trunc128: Expected
    }

    struct Pair: Decodable {
        let a: String
        let b: String
        let full: Expected
        let trunc32: Expected
    }

    struct Golden: Decodable {
        let single: [Single]
        let pairs: [Pair]
    }

    static let golden: Golden = try! Fixtures.json(Golden.self, "tokenizer/minilm_golden.json")
    static let tokenizer = try! Tokenizer.load(folder: Fixtures.miniLM)

    static func check(_ actual: Encoding, _ expected: Expected, _ label: String) {
        #expect(actual.ids == expected.ids, "ids: \(label)")
        #expect(actual.tokens == expected.tokens, "tokens: \(label)")
        #expect(actual.offsets == expected.offsets.map { TokenOffset($0[0], $0[1]) }, "offsets: \(label)")
        #expect(actual.typeIDs == expected.typeIDs, "type ids: \(label)")
        #expect(actual.attentionMask == expected.attentionMask, "attention mask: \(label)")
        #expect(actual.specialTokensMask == expected.specialTokensMask, "special tokens mask: \(label)")
    }

    @Test func fixtureCoversTheRequiredVariety() {
        #expect(Self.golden.single.count >= 300)
        let categories = Set(Self.golden.single.map(\.category))
        for needed in ["cjk", "accents", "emoji", "control", "longword", "url", "numbers", "scripts", "whitespace", "empty"] {
            #expect(categories.contains(needed), "missing category \(needed)")
        }
    }

    @Test func singleTextsMatchWithoutTruncation() throws {
        for c in Self.golden.single {
            Self.check(try Self.tokenizer.encode(c.text), c.full, c.text.debugDescription)
        }
    }

    @Test func singleTextsMatchTruncatedTo128() throws {
        for c in Self.golden.single {
            let encoding = try Self.tokenizer.encode(c.text, truncation: Truncation(maxLength: 128))
            Self.check(encoding, c.trunc128, c.text.debugDescription)
        }
    }

    @Test func pairsMatchWithAndWithoutLongestFirstTruncation() throws {
        for p in Self.golden.pairs {
            let label = "\(p.a.debugDescription) / \(p.b.debugDescription)"
            Self.check(try Self.tokenizer.encode(p.a, pair: p.b), p.full, label)
            Self.check(try Self.tokenizer.encode(p.a, pair: p.b, truncation: Truncation(maxLength: 32)), p.trunc32, label)
        }
    }

    /// The vocab.txt + tokenizer_config.json path builds the same pipeline as tokenizer.json.
    @Test func vocabularyFileLoaderAgreesWithTokenizerJSON() throws {
        let fromVocab = try Tokenizer(vocabFile: Fixtures.miniLM.appendingPathComponent("vocab.txt"),
                                      configFile: Fixtures.miniLM.appendingPathComponent("tokenizer_config.json"))
        for c in Self.golden.single {
            Self.check(try fromVocab.encode(c.text), c.full, "vocab.txt: \(c.text.debugDescription)")
        }
    }

    /// The file's own settings are parsed but not applied by `encode`.
    @Test func fileTruncationAndPaddingAreReportedNotApplied() throws {
        let t = Self.tokenizer
        #expect(t.configuredTruncation == Truncation(maxLength: 128))
        #expect(t.configuredPadding?.strategy == .fixed(128))
        let long = String(repeating: "word ", count: 200)
        #expect(try t.encode(long).count == 202)
        #expect(try t.encode("hi").count == 3)
    }
}
