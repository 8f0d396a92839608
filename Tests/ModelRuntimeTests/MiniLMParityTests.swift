import Foundation
import TestSupport
import Testing
import Tokenization
@testable import ModelRuntime

/// all-MiniLM-L6-v2 end to end against sentence-transformers (tools/fixtures/embedding_golden.py):
/// ≥ 50 sentences — short, over 256 tokens, CJK, emoji — cosine ≥ 0.99999, max |Δ| ≤ 1e-4.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct MiniLMParityTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let text: String
            let nTokens: Int
            let embedding: [Float]
            enum CodingKeys: String, CodingKey { case text, embedding; case nTokens = "n_tokens" }
        }
        let maxSeqLength: Int
        let cases: [Case]
        enum CodingKeys: String, CodingKey { case cases; case maxSeqLength = "max_seq_length" }
    }

    @Test func embeddingsMatchSentenceTransformers() throws {
        let golden = try Fixtures.json(Golden.self, "embeddings/minilm_golden.json")
        #expect(golden.cases.count >= 50)
        #expect(golden.cases.contains { $0.nTokens == 256 }, "fixture lacks a truncated (> 256 tokens) case")
        let encoder = try SentenceEncoder(folder: Fixtures.miniLM)
        #expect(encoder.maxSequenceLength == golden.maxSeqLength)
        let encodings = try golden.cases.map { try encoder.encodeTokens($0.text) }
        for (c, e) in zip(golden.cases, encodings) {
            #expect(e.count == c.nTokens, "token count of \(c.text.prefix(40).debugDescription)")
        }
        let vectors = encoder.embed(encodings: encodings, batchSize: 16)
        var worstCosine = 1.0, worstDiff: Float = 0
        for (c, v) in zip(golden.cases, vectors) {
            var dot = 0.0, nv = 0.0, nc = 0.0
            for (x, y) in zip(v, c.embedding) {
                dot += Double(x) * Double(y); nv += Double(x) * Double(x); nc += Double(y) * Double(y)
            }
            let cosine = dot / (nv.squareRoot() * nc.squareRoot())
            let diff = zip(v, c.embedding).map { abs($0 - $1) }.max() ?? 0
            worstCosine = min(worstCosine, cosine)
            worstDiff = max(worstDiff, diff)
            #expect(cosine >= 0.99999 && diff <= 1e-4, "\(c.text.prefix(40).debugDescription): cos \(cosine), max diff \(diff)")
        }
        print("MiniLM parity over \(golden.cases.count) sentences: worst cosine \(worstCosine), worst max |Δ| \(worstDiff)")
    }
}
