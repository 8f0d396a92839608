import Foundation

/// A BERT encoder (embeddings → N × [self-attention, feed-forward], post-LayerNorm), as
/// Hugging Face `BertModel` computes it, without the pooler.
///
/// Sequences of one batch are packed end to end — no padding — so the dense layers see only
/// real tokens and attention runs per sequence over its own length. This is exactly what a
/// padded, masked batch computes for the real positions, minus the wasted work. The layers are
/// `BERT.Layer` (BERT+Layer.swift), the same that `TrainableBERT` trains, run by the
/// `InferencePass` (buffers reused across layers, residual adds fused into the LayerNorms).
public struct BERT: Sendable {
    private struct Embeddings: Sendable {
        let word: Tensor      // [vocab, hidden]
        let position: Tensor  // [maxPositions, hidden]
        let tokenType: Tensor // [typeVocab, hidden]
        let norm: LayerNorm
    }

    public let config: Config
    private let embeddings: Embeddings
    private let layers: [Layer<InferencePass>]

    /// Builds the encoder from checkpoint names (`embeddings.word_embeddings.weight`,
    /// `encoder.layer.0.attention.self.query.weight`, ...), with or without a `bert.` prefix.
    public init(config: Config, weights: some WeightSource) throws {
        self.config = config
        let parts = InferenceParts(weights: weights, config: config)
        let h = config.hiddenSize
        embeddings = Embeddings(
            word: try parts.tensor("embeddings.word_embeddings.weight", [config.vocabSize, h]),
            position: try parts.tensor("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h]),
            tokenType: try parts.tensor("embeddings.token_type_embeddings.weight", [config.typeVocabSize, h]),
            norm: try parts.norm("embeddings.LayerNorm"))
        layers = try (0..<config.numHiddenLayers).map { try Layer(parts, name: "encoder.layer.\($0)", config: config) }
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
        precondition(batch.lengths.allSatisfy { $0 >= 1 && $0 <= config.maxPositionEmbeddings }, "sequence length out of range")
        let total = batch.totalTokens, h = config.hiddenSize
        var hidden = embed(batch)
        // The layers take turns between `hidden` and the pass's spare buffer; a copy is needed
        // only when the last output is in the spare one.
        let spare: Tensor? = hidden.withUnsafeMutableBufferPointer { states in
            var pass = InferencePass(rows: total, config: config, states: states.baseAddress!)
            var x = states.baseAddress!
            for layer in layers.prefix(count) { x = layer.forward(x, lengths: batch.lengths, config: config, &pass) }
            guard x != states.baseAddress! else { return nil }
            let last = x
            return Tensor(shape: [total, h]) { $0.baseAddress!.update(from: last, count: total * h) }
        }
        return spare ?? hidden
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
