public import Foundation
public import Tokenization

/// A sentence-transformers model folder (Transformer → Pooling → optional Normalize) run
/// end to end: tokenize, encode with BERT, pool, normalize.
///
/// Inputs are truncated to the folder's `max_seq_length` (sentence_bert_config.json), not to
/// the tokenizer file's own truncation, and are never padded: batches are sorted by length
/// and packed. Immutable and safe to share between threads.
public struct SentenceEncoder: Sendable {
    public let tokenizer: Tokenizer
    public let model: BERT
    public let pooling: Pooling
    /// Whether the output is scaled to unit length (a Normalize module is present).
    public let normalizes: Bool
    /// Longest input, in tokens including special tokens.
    package let maxSequenceLength: Int
    /// Lowercase texts before tokenizing (sentence_bert_config.json `do_lower_case`).
    let lowercasesInput: Bool

    /// The embedding width.
    public var dimension: Int { model.config.hiddenSize }

    private struct Module: Decodable {
        let path: String
        let type: String
    }

    private struct SentenceBertConfig: Decodable {
        let maxSeqLength: Int?
        let doLowerCase: Bool?
        enum CodingKeys: String, CodingKey {
            case maxSeqLength = "max_seq_length"
            case doLowerCase = "do_lower_case"
        }
    }

    /// Loads a model folder: config.json, model.safetensors, tokenizer.json or vocab.txt,
    /// modules.json with its module folders, sentence_bert_config.json.
    public init(folder: URL) throws {
        let config = try BERT.Config.load(folder.appendingPathComponent("config.json"))
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelError.missingFile(path: weightsURL.path, hint: "the model weights")
        }
        let weights = try SafeTensorsFile(url: weightsURL)
        model = try BERT(config: config, weights: weights)
        tokenizer = try Tokenizer.load(folder: folder)
        guard tokenizer.vocabulary.count <= config.vocabSize else {
            throw ModelError.invalidConfig(
                path: folder.appendingPathComponent("config.json").path,
                detail: "vocab_size \(config.vocabSize) is smaller than the tokenizer's \(tokenizer.vocabulary.count) tokens")
        }

        let modulesURL = folder.appendingPathComponent("modules.json")
        var pooling = Pooling(mode: .mean, dimension: config.hiddenSize)
        var normalizes = false
        if FileManager.default.fileExists(atPath: modulesURL.path) {
            let modules = try decodeConfig([Module].self, at: modulesURL)
            for (index, module) in modules.enumerated() {
                switch module.type {
                case "sentence_transformers.models.Transformer":
                    guard index == 0 else {
                        throw ModelError.unsupported(path: modulesURL.path, field: "[\(index)].type", value: module.type)
                    }
                case "sentence_transformers.models.Pooling":
                    let url = folder.appendingPathComponent(module.path).appendingPathComponent("config.json")
                    pooling = try Pooling(config: decodeConfig(Pooling.Config.self, at: url), path: url.path)
                    guard pooling.dimension == config.hiddenSize else {
                        throw ModelError.invalidConfig(
                            path: url.path, detail: "word_embedding_dimension \(pooling.dimension) ≠ hidden_size \(config.hiddenSize)")
                    }
                case "sentence_transformers.models.Normalize":
                    normalizes = true
                default:
                    throw ModelError.unsupported(path: modulesURL.path, field: "[\(index)].type", value: module.type)
                }
            }
        }
        self.pooling = pooling
        self.normalizes = normalizes

        let stURL = folder.appendingPathComponent("sentence_bert_config.json")
        let st = FileManager.default.fileExists(atPath: stURL.path)
            ? try decodeConfig(SentenceBertConfig.self, at: stURL) : SentenceBertConfig(maxSeqLength: nil, doLowerCase: nil)
        let maxLength = st.maxSeqLength ?? config.maxPositionEmbeddings
        guard maxLength >= tokenizer.addedTokenCount(isPair: false) + 1 && maxLength <= config.maxPositionEmbeddings else {
            throw ModelError.invalidConfig(
                path: stURL.path, detail: "max_seq_length \(maxLength) outside 3...\(config.maxPositionEmbeddings)")
        }
        maxSequenceLength = maxLength
        lowercasesInput = st.doLowerCase ?? false
    }

    /// Tokenizes as the encoder does: special tokens, truncation to `maxSequenceLength`.
    public func encodeTokens(_ text: String) throws -> Encoding {
        try tokenizer.encode(lowercasesInput ? text.lowercased() : text,
                             truncation: Truncation(maxLength: maxSequenceLength))
    }

    /// Embeds texts; the result is in input order.
    ///
    /// - Parameter batchSize: sequences per forward pass (sorted by length so each batch is
    ///   of similar lengths).
    /// - Returns: `texts.count` vectors of `dimension` floats.
    public func embed(_ texts: [String], batchSize: Int = 32) throws -> [[Float]] {
        let encodings = try texts.map(encodeTokens)
        return embed(encodings: encodings, batchSize: batchSize)
    }

    /// Embeds already tokenized inputs (from `encodeTokens`); the result is in input order.
    public func embed(encodings: [Encoding], batchSize: Int = 32) -> [[Float]] {
        precondition(batchSize > 0, "batch size must be positive")
        let order = encodings.indices.sorted { encodings[$0].count > encodings[$1].count }
        var result = [[Float]](repeating: [], count: encodings.count)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let members = Array(order[start..<min(start + batchSize, order.count)])
            let vectors = embedBatch(members.map { encodings[$0] })
            for (member, vector) in zip(members, vectors) { result[member] = vector }
        }
        return result
    }

    private func embedBatch(_ batch: [Encoding]) -> [[Float]] {
        // A tokenizer without special tokens can encode an empty text as no tokens at all;
        // such inputs pool to the zero vector without entering the encoder.
        guard batch.allSatisfy({ $0.count > 0 }) else {
            let nonEmpty = batch.filter { $0.count > 0 }
            var vectors = embedBatch(nonEmpty).makeIterator()
            return batch.map { $0.count > 0 ? vectors.next()! : [Float](repeating: 0, count: dimension) }
        }
        let packed = BERT.PackedBatch(ids: batch.flatMap(\.ids), typeIDs: batch.flatMap(\.typeIDs),
                                      lengths: batch.map(\.count))
        let states = model.forward(packed)
        let width = dimension
        var offset = 0
        return states.withUnsafeBufferPointer { states in
            batch.map { encoding in
                var vector = [Float](repeating: 0, count: width)
                vector.withUnsafeMutableBufferPointer { v in
                    pooling.pool(states.baseAddress! + offset * width, length: encoding.count, width: width,
                                 into: v.baseAddress!)
                    if normalizes { Pooling.l2Normalize(v.baseAddress!, count: width) }
                }
                offset += encoding.count
                return vector
            }
        }
    }
}
