import Foundation

/// A BERT encoder (embeddings → N × [self-attention, feed-forward], post-LayerNorm), as
/// Hugging Face `BertModel` computes it, without the pooler.
///
/// Sequences of one batch are packed end to end — no padding — so the dense layers see only
/// real tokens and attention runs per sequence over its own length. This is exactly what a
/// padded, masked batch computes for the real positions, minus the wasted work.
public struct BERT: Sendable {
    /// `config.json` of a Hugging Face BERT checkpoint.
    public struct Config: Decodable, Sendable, Equatable {
        public var vocabSize: Int
        public var hiddenSize: Int
        public var numHiddenLayers: Int
        public var numAttentionHeads: Int
        public var intermediateSize: Int
        public var hiddenAct: String
        public var maxPositionEmbeddings: Int
        public var typeVocabSize: Int
        public var layerNormEps: Float
        public var positionEmbeddingType: String?
        public var modelType: String?

        enum CodingKeys: String, CodingKey {
            case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
            case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
            case hiddenAct = "hidden_act", maxPositionEmbeddings = "max_position_embeddings"
            case typeVocabSize = "type_vocab_size", layerNormEps = "layer_norm_eps"
            case positionEmbeddingType = "position_embedding_type", modelType = "model_type"
        }

        /// Reads and validates `config.json`.
        public static func load(_ url: URL) throws -> Config {
            let config = try decodeConfig(Config.self, at: url)
            try config.validate(path: url.path)
            return config
        }

        /// Checks values the architecture depends on; called at load time, never in `forward`.
        public func validate(path: String) throws {
            func positive(_ value: Int, _ field: String) throws {
                guard value > 0 else { throw ModelError.unsupported(path: path, field: field, value: String(value)) }
            }
            try positive(vocabSize, "vocab_size")
            try positive(hiddenSize, "hidden_size")
            try positive(numHiddenLayers, "num_hidden_layers")
            try positive(numAttentionHeads, "num_attention_heads")
            try positive(intermediateSize, "intermediate_size")
            try positive(maxPositionEmbeddings, "max_position_embeddings")
            try positive(typeVocabSize, "type_vocab_size")
            guard hiddenSize % numAttentionHeads == 0 else {
                throw ModelError.invalidConfig(
                    path: path, detail: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
            }
            guard hiddenAct == "gelu" else {
                throw ModelError.unsupported(path: path, field: "hidden_act", value: hiddenAct)
            }
            if let kind = positionEmbeddingType, kind != "absolute" {
                throw ModelError.unsupported(path: path, field: "position_embedding_type", value: kind)
            }
            if let kind = modelType, kind != "bert" {
                throw ModelError.unsupported(path: path, field: "model_type", value: kind)
            }
            guard layerNormEps > 0 && layerNormEps.isFinite else {
                throw ModelError.unsupported(path: path, field: "layer_norm_eps", value: String(layerNormEps))
            }
        }

        public var headSize: Int { hiddenSize / numAttentionHeads }
    }

    /// Token ids of several sequences laid end to end.
    public struct PackedBatch: Sendable {
        /// `[totalTokens]`
        public var ids: [Int32]
        /// `[totalTokens]`
        public var typeIDs: [Int32]
        /// Token count of each sequence; they sum to `ids.count`.
        public var lengths: [Int]

        public init(ids: [Int32], typeIDs: [Int32], lengths: [Int]) {
            precondition(ids.count == typeIDs.count && lengths.reduce(0, +) == ids.count, "inconsistent packed batch")
            self.ids = ids
            self.typeIDs = typeIDs
            self.lengths = lengths
        }

        public var totalTokens: Int { ids.count }
    }

    private struct Embeddings: Sendable {
        let word: Tensor      // [vocab, hidden]
        let position: Tensor  // [maxPositions, hidden]
        let tokenType: Tensor // [typeVocab, hidden]
        let norm: LayerNorm
    }

    private struct Layer: Sendable {
        let qkv: Linear            // query, key, value fused: [3 * hidden, hidden]
        let attentionOutput: Linear
        let attentionNorm: LayerNorm
        let intermediate: Linear
        let output: Linear
        let outputNorm: LayerNorm
    }

    public let config: Config
    private let embeddings: Embeddings
    private let layers: [Layer]

    /// Builds the encoder from checkpoint names (`embeddings.word_embeddings.weight`,
    /// `encoder.layer.0.attention.self.query.weight`, ...), with or without a `bert.` prefix.
    public init(config: Config, weights: some WeightSource) throws {
        self.config = config
        let prefix = weights.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        let h = config.hiddenSize, eps = config.layerNormEps
        func t(_ name: String, _ shape: [Int]) throws -> Tensor { try weights.tensor(prefix + name, shape: shape) }
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(weight: try t("\(name).weight", [h]), bias: try t("\(name).bias", [h]), epsilon: eps)
        }
        func linear(_ name: String, out: Int, in: Int) throws -> Linear {
            Linear(weight: try t("\(name).weight", [out, `in`]), bias: try t("\(name).bias", [out]))
        }
        embeddings = Embeddings(
            word: try t("embeddings.word_embeddings.weight", [config.vocabSize, h]),
            position: try t("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h]),
            tokenType: try t("embeddings.token_type_embeddings.weight", [config.typeVocabSize, h]),
            norm: try norm("embeddings.LayerNorm"))
        layers = try (0..<config.numHiddenLayers).map { i in
            let p = "encoder.layer.\(i)"
            let q = try linear("\(p).attention.self.query", out: h, in: h)
            let k = try linear("\(p).attention.self.key", out: h, in: h)
            let v = try linear("\(p).attention.self.value", out: h, in: h)
            return Layer(
                qkv: Linear(weight: concatenateRows([q.weight, k.weight, v.weight]),
                            bias: concatenateRows([q.bias!, k.bias!, v.bias!])),
                attentionOutput: try linear("\(p).attention.output.dense", out: h, in: h),
                attentionNorm: try norm("\(p).attention.output.LayerNorm"),
                intermediate: try linear("\(p).intermediate.dense", out: config.intermediateSize, in: h),
                output: try linear("\(p).output.dense", out: h, in: config.intermediateSize),
                outputNorm: try norm("\(p).output.LayerNorm"))
        }
    }

    /// Runs the encoder.
    ///
    /// - Precondition: ids below `vocabSize`, type ids below `typeVocabSize`, every length in
    ///   `1...maxPositionEmbeddings` (callers truncate first).
    /// - Returns: the last hidden states, `[totalTokens, hiddenSize]`, packed like the input.
    public func forward(_ batch: PackedBatch) -> Tensor {
        forward(batch, layers: config.numHiddenLayers)
    }

    /// Runs the embeddings and the first `count` layers only (0: the layer-normalized
    /// embeddings), e.g. the frozen part below the layers being fine-tuned.
    ///
    /// - Precondition: `count` in `0...numHiddenLayers`, and what `forward(_:)` requires.
    /// - Returns: the hidden states after layer `count`, `[totalTokens, hiddenSize]`, packed like the input.
    public func forward(_ batch: PackedBatch, layers count: Int) -> Tensor {
        precondition(count >= 0 && count <= layers.count, "layer count \(count) outside 0...\(layers.count)")
        let total = batch.totalTokens, h = config.hiddenSize
        precondition(batch.lengths.allSatisfy { $0 >= 1 && $0 <= config.maxPositionEmbeddings }, "sequence length out of range")
        var hidden = embed(batch)
        var qkv = [Float](repeating: 0, count: total * 3 * h)
        var context = [Float](repeating: 0, count: total * h)
        var attended = [Float](repeating: 0, count: total * h)
        var inner = [Float](repeating: 0, count: total * config.intermediateSize)
        hidden.withUnsafeMutableBufferPointer { x in
            let x = x.baseAddress!
            for layer in layers.prefix(count) {
                qkv.withUnsafeMutableBufferPointer { qkv in
                    context.withUnsafeMutableBufferPointer { ctx in
                        layer.qkv.apply(x, rows: total, into: qkv.baseAddress!)
                        Attention.forward(qkv: qkv.baseAddress!, lengths: batch.lengths, heads: config.numAttentionHeads,
                                          headSize: config.headSize, output: ctx.baseAddress!)
                    }
                }
                attended.withUnsafeMutableBufferPointer { a in
                    context.withUnsafeBufferPointer { ctx in
                        layer.attentionOutput.apply(ctx.baseAddress!, rows: total, into: a.baseAddress!)
                    }
                    layer.attentionNorm.apply(a.baseAddress!, rows: total, adding: x)
                    inner.withUnsafeMutableBufferPointer { inner in
                        layer.intermediate.apply(a.baseAddress!, rows: total, into: inner.baseAddress!)
                        let pointer = SendablePointer(inner.baseAddress!)
                        Parallel.forEachRange(inner.count) { range in
                            Activation.geluErf(pointer.pointer + range.lowerBound, count: range.count)
                        }
                        layer.output.apply(inner.baseAddress!, rows: total, into: x)
                    }
                    layer.outputNorm.apply(x, rows: total, adding: a.baseAddress!)
                }
            }
        }
        return hidden
    }

    /// Word + position + token-type embeddings, layer-normalized: `[totalTokens, hidden]`.
    private func embed(_ batch: PackedBatch) -> Tensor {
        let h = config.hiddenSize
        var out = Tensor(shape: [batch.totalTokens, h]) { out in
            embeddings.word.withUnsafeBufferPointer { word in
                embeddings.position.withUnsafeBufferPointer { position in
                    embeddings.tokenType.withUnsafeBufferPointer { type in
                        var row = 0
                        for length in batch.lengths {
                            for p in 0..<length {
                                let id = Int(batch.ids[row]), tt = Int(batch.typeIDs[row])
                                precondition(id >= 0 && id < config.vocabSize && tt >= 0 && tt < config.typeVocabSize,
                                             "token id \(id) or type id \(tt) out of range")
                                let dst = out.baseAddress! + row * h
                                let w = word.baseAddress! + id * h
                                let ps = position.baseAddress! + p * h
                                let t = type.baseAddress! + tt * h
                                for i in 0..<h { dst[i] = w[i] + t[i] + ps[i] }
                                row += 1
                            }
                        }
                    }
                }
            }
        }
        out.withUnsafeMutableBufferPointer { embeddings.norm.apply($0.baseAddress!, rows: batch.totalTokens) }
        return out
    }
}

/// Stacks 2-D tensors (or 1-D vectors) with equal trailing dimensions along the first axis.
func concatenateRows(_ parts: [Tensor]) -> Tensor {
    let trailing = Array(parts[0].shape.dropFirst())
    precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == trailing }, "concatenateRows: shapes differ")
    let rows = parts.reduce(0) { $0 + $1.shape[0] }
    return Tensor(shape: [rows] + trailing) { out in
        var offset = 0
        for part in parts {
            part.withUnsafeBufferPointer { src in
                (out.baseAddress! + offset).initialize(from: src.baseAddress!, count: src.count)
                offset += src.count
            }
        }
    }
}
