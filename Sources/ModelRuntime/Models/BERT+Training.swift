import Foundation

/// The top `trainableLayers` layers of a `BERT` of the same `BERT.Config` in training mode, with
/// sentence pooling and optional L2 normalization on top (what `SentenceEncoder` computes): the
/// same `BERT.Layer`s, run by the `TrainingPass`, which keeps every activation the backward pass
/// needs (BERT+Backward.swift); gradients accumulate into a `ParameterSet` under the
/// checkpoint's names (`encoder.layer.5.attention.self.query.weight`, ..., with the checkpoint's
/// `bert.` prefix if it has one).
///
/// The layers below (and the embeddings) stay frozen. Their output does not change while the
/// top is trained, so `frozenStates` runs them once with the fast inference `BERT` and a
/// training loop caches the result; `forward` starts from those states. The parameter set is
/// the checkpoint of the trained layers: `SentenceEncoder.writeFolder` writes it over the base
/// checkpoint into a model folder that `SentenceEncoder` loads.
///
/// Kinds: dense weights are `.decayed`; biases and LayerNorm γ/β `.undecayed` (the usual BERT
/// fine-tuning choice).
public final class TrainableBERT: @unchecked Sendable {
    public let config: BERT.Config
    /// Values and gradients of the trained layers; share it with the optimiser.
    public let parameters: ParameterSet
    /// How many of the top layers are trained (`1...numHiddenLayers`).
    public let trainableLayers: Int
    public let pooling: Pooling.Mode
    /// Whether the pooled vector is scaled to unit length (a Normalize module).
    public let normalizes: Bool
    /// The whole encoder as loaded, run for the frozen layers.
    private let frozen: BERT
    let layers: [BERT.Layer<BERT.TrainingPass>]

    /// Registers the top `trainableLayers` layers of `config` read from `weights` (the base
    /// checkpoint, or a fine-tuned one to resume); the frozen part is read from the same source.
    ///
    /// - Precondition: `trainableLayers` in `1...config.numHiddenLayers`.
    public init(config: BERT.Config, weights: some WeightSource, trainableLayers: Int, pooling: Pooling.Mode = .mean,
                normalizes: Bool) throws {
        precondition(trainableLayers >= 1 && trainableLayers <= config.numHiddenLayers,
                     "trainable layers \(trainableLayers) outside 1...\(config.numHiddenLayers)")
        self.config = config
        self.trainableLayers = trainableLayers
        self.pooling = pooling
        self.normalizes = normalizes
        frozen = try BERT(config: config, weights: weights)
        let parameters = ParameterSet()
        self.parameters = parameters
        let parts = BERT.TrainingParts(parameters: parameters, weights: weights, config: config)
        layers = try ((config.numHiddenLayers - trainableLayers)..<config.numHiddenLayers).map { i in
            try BERT.Layer(parts, name: "encoder.layer.\(i)", config: config)
        }
    }

    /// The frozen part: embeddings and the first `numHiddenLayers − trainableLayers` layers.
    ///
    /// - Returns: `[batch.totalTokens, hiddenSize]`, the input of `forward`.
    public func frozenStates(_ batch: BERT.PackedBatch) -> Tensor {
        frozen.forward(batch, layers: config.numHiddenLayers - trainableLayers)
    }

    /// What a forward pass keeps for `backward`.
    public struct Tape: @unchecked Sendable {
        let lengths: [Int]
        let layers: [BERT.LayerTape]
        /// `[batch, hidden]` before normalization.
        let pooled: Tensor
        /// Token (row in the sequence) each element of `pooled` came from, for max pooling.
        let maxIndices: [Int32]
        /// `[batch, hidden]`, the output.
        let embeddings: Tensor
        /// Norm of each pooled vector (clamped at 1e-12), when normalizing.
        let norms: [Float]
    }

    /// Runs the trained layers, pooling and normalization, without dropout (evaluation).
    ///
    /// - Parameters:
    ///   - states: `[totalTokens, hiddenSize]` from `frozenStates`, sequences packed end to end
    ///   - lengths: token count of each sequence (each at least 1)
    /// - Returns: sentence embeddings `[lengths.count, hiddenSize]` and the tape for `backward`.
    public func forward(states: Tensor, lengths: [Int]) -> (embeddings: Tensor, tape: Tape) {
        var unused = SeededGenerator(seed: 0)
        return forward(states: states, lengths: lengths, dropout: 0, using: &unused)
    }

    /// The same with BERT's hidden dropout (`hidden_dropout_prob`) in training mode: on the
    /// outputs of each layer's attention-output and output dense layers, before their residual
    /// adds. Attention probabilities are not dropped.
    ///
    /// - Parameter dropout: the drop probability, in `0..<1`; masks are drawn from `generator`.
    public func forward(states: Tensor, lengths: [Int], dropout: Float,
                        using generator: inout some RandomNumberGenerator) -> (embeddings: Tensor, tape: Tape) {
        let h = config.hiddenSize
        precondition(states.shape == [lengths.reduce(0, +), h] && lengths.allSatisfy { $0 >= 1 },
                     "states \(states.shape) for lengths summing to \(lengths.reduce(0, +))")
        var x = states
        var tapes: [BERT.LayerTape] = []
        for layer in layers {
            let masks = (attention: Dropout.mask(count: x.count, probability: dropout, using: &generator),
                         output: Dropout.mask(count: x.count, probability: dropout, using: &generator))
            var pass = BERT.TrainingPass(parameters: parameters, rows: x.shape[0], config: config, dropout: masks)
            _ = x.withUnsafeBufferPointer { layer.forward($0.baseAddress!, lengths: lengths, config: config, &pass) }
            let tape = BERT.LayerTape(lengths: lengths, input: x, kept: pass.kept, dropout: masks)
            x = tape[.output]
            tapes.append(tape)
        }
        let batch = lengths.count
        var maxIndices = [Int32](repeating: 0, count: pooling == .max ? batch * h : 0)
        let pooled = Tensor(shape: [batch, h]) { out in
            x.withUnsafeBufferPointer { s in
                var offset = 0
                for (b, length) in lengths.enumerated() {
                    let rows = s.baseAddress! + offset * h, dst = out.baseAddress! + b * h
                    Pooling(mode: pooling, dimension: h).pool(rows, length: length, width: h, into: dst)
                    if pooling == .max {
                        for i in 0..<h {
                            var best = 0
                            for r in 1..<length where rows[r * h + i] > rows[best * h + i] { best = r }
                            maxIndices[b * h + i] = Int32(best)
                        }
                    }
                    offset += length
                }
            }
        }
        var norms: [Float] = []
        var embeddings = pooled
        if normalizes {
            norms = [Float](repeating: 1, count: batch)
            embeddings.withUnsafeMutableBufferPointer { e in
                for b in 0..<batch {
                    let v = e.baseAddress! + b * h
                    var squares = 0.0
                    for i in 0..<h { squares += Double(v[i]) * Double(v[i]) }
                    norms[b] = Float(Swift.max(squares.squareRoot(), 1e-12))
                    let inverse = 1 / norms[b]
                    for i in 0..<h { v[i] *= inverse }
                }
            }
        }
        return (embeddings, Tape(lengths: lengths, layers: tapes, pooled: pooled, maxIndices: maxIndices,
                                 embeddings: embeddings, norms: norms))
    }
}
