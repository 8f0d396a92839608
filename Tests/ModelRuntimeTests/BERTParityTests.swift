import Foundation
import TestSupport
import Testing
import Tokenization
@testable import ModelRuntime

/// The BERT encoder against Hugging Face transformers on a tiny random BERT
/// (tools/fixtures/tiny_bert.py): hidden states for F32, F16 and BF16 weights, and the
/// sentence-transformers pipeline including tokenization from vocab.txt.
struct BERTParityTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let length: Int
            let inputIDs: [Int32]
            let tokenTypeIDs: [Int32]
            let lastHiddenStateF32: [[Float]]
            let lastHiddenStateF16: [[Float]]
            let lastHiddenStateBf16: [[Float]]
            enum CodingKeys: String, CodingKey {
                case length
                case inputIDs = "input_ids", tokenTypeIDs = "token_type_ids"
                case lastHiddenStateF32 = "last_hidden_state_f32", lastHiddenStateF16 = "last_hidden_state_f16"
                case lastHiddenStateBf16 = "last_hidden_state_bf16"
            }
        }
        struct SentenceCase: Decodable {
            let text: String
            let inputIDs: [Int32]
            let embedding: [Float]
            enum CodingKeys: String, CodingKey { case text, embedding; case inputIDs = "input_ids" }
        }
        struct SentencePipeline: Decodable {
            let maxSeqLength: Int
            let cases: [SentenceCase]
            enum CodingKeys: String, CodingKey { case cases; case maxSeqLength = "max_seq_length" }
        }
        let batch: [Case]
        let sentenceTransformers: SentencePipeline
        enum CodingKeys: String, CodingKey { case batch; case sentenceTransformers = "sentence_transformers" }
    }

    static let golden = try! Fixtures.json(Golden.self, "bert/tiny_golden.json")
    static let folder = Fixtures.url("bert/tiny")

    func run(weights file: String, keyPath: KeyPath<Golden.Case, [[Float]]>, tolerance: Float) throws {
        let config = try BERT.Config.load(Self.folder.appendingPathComponent("config.json"))
        let model = try BERT(config: config, weights: SafeTensorsFile(url: Self.folder.appendingPathComponent(file)))
        let cases = Self.golden.batch
        // All cases in one packed batch: packing must not leak between sequences.
        let batch = BERT.PackedBatch(
            ids: cases.flatMap { Array($0.inputIDs.prefix($0.length)) },
            typeIDs: cases.flatMap { Array($0.tokenTypeIDs.prefix($0.length)) },
            lengths: cases.map(\.length))
        let states = model.forward(batch).scalars
        let h = config.hiddenSize
        var row = 0
        for c in cases {
            for expectedRow in c[keyPath: keyPath] {
                let actual = states[(row * h)..<((row + 1) * h)]
                let diff = zip(actual, expectedRow).map { abs($0 - $1) }.max() ?? 0
                #expect(diff <= tolerance, "\(file) row \(row): max diff \(diff)")
                row += 1
            }
        }
        #expect(row == batch.totalTokens)
    }

    @Test func float32WeightsMatchTransformers() throws {
        try run(weights: "model.safetensors", keyPath: \.lastHiddenStateF32, tolerance: 2e-5)
    }

    @Test func float16WeightsMatchTransformers() throws {
        try run(weights: "model.f16.safetensors", keyPath: \.lastHiddenStateF16, tolerance: 2e-5)
    }

    @Test func bfloat16WeightsMatchTransformers() throws {
        try run(weights: "model.bf16.safetensors", keyPath: \.lastHiddenStateBf16, tolerance: 2e-5)
    }

    @Test func sentenceEncoderMatchesSentenceTransformers() throws {
        let encoder = try SentenceEncoder(folder: Self.folder)
        let pipeline = Self.golden.sentenceTransformers
        #expect(encoder.maxSequenceLength == pipeline.maxSeqLength)
        let texts = pipeline.cases.map(\.text)
        for (c, encoding) in zip(pipeline.cases, try texts.map(encoder.encodeTokens)) {
            #expect(encoding.ids == c.inputIDs, "tokens of \(c.text.debugDescription)")
        }
        for batchSize in [1, 3, 32] {
            let vectors = try encoder.embed(texts, batchSize: batchSize)
            for (c, v) in zip(pipeline.cases, vectors) {
                let diff = zip(v, c.embedding).map { abs($0 - $1) }.max() ?? 0
                #expect(diff <= 1e-5, "batch \(batchSize): \(c.text.debugDescription) differs by \(diff)")
            }
        }
    }
}
