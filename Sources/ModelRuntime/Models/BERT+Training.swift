import Foundation

/// The top `trainableLayers` layers of a `BERT` of the same `BERT.Config` in training mode, with
/// sentence pooling and optional L2 normalization on top (what `SentenceEncoder` computes):
/// every activation the backward pass needs is kept, and gradients accumulate into a
/// `ParameterSet` under the checkpoint's names (`encoder.layer.5.attention.self.query.weight`,
/// ..., with the checkpoint's `bert.` prefix if it has one).
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
    private let layers: [LayerUnits]

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
        let prefix = weights.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        layers = try ((config.numHiddenLayers - trainableLayers)..<config.numHiddenLayers).map { i in
            try LayerUnits(parameters, weights, name: "\(prefix)encoder.layer.\(i)", config: config)
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
        fileprivate let lengths: [Int]
        fileprivate let layers: [LayerTape]
        /// `[batch, hidden]` before normalization.
        fileprivate let pooled: Tensor
        /// Token (row in the sequence) each element of `pooled` came from, for max pooling.
        fileprivate let maxIndices: [Int32]
        /// `[batch, hidden]`, the output.
        fileprivate let embeddings: Tensor
        /// Norm of each pooled vector (clamped at 1e-12), when normalizing.
        fileprivate let norms: [Float]
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
        var tapes: [LayerTape] = []
        for layer in layers {
            let masks = (attention: Dropout.mask(count: x.count, probability: dropout, using: &generator),
                         output: Dropout.mask(count: x.count, probability: dropout, using: &generator))
            let tape = layer.forward(x, lengths: lengths, parameters, config: config, dropout: masks)
            x = tape.output
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

    /// Accumulates (`+=`) the gradients of every trained parameter given `∂L/∂embeddings`
    /// `[batch, hiddenSize]`. Call `parameters.zeroGradients()` between steps.
    public func backward(_ tape: Tape, embeddingsGradient: Tensor) {
        let h = config.hiddenSize, batch = tape.lengths.count
        precondition(embeddingsGradient.shape == [batch, h], "embeddings gradient \(embeddingsGradient.shape)")
        var pooledGradient = embeddingsGradient
        if normalizes {
            // y = x / ‖x‖: dx = (dy − y · (y · dy)) / ‖x‖
            pooledGradient.withUnsafeMutableBufferPointer { d in
                tape.embeddings.withUnsafeBufferPointer { y in
                    for b in 0..<batch {
                        let dy = d.baseAddress! + b * h, yb = y.baseAddress! + b * h
                        var dot: Float = 0
                        for i in 0..<h { dot += yb[i] * dy[i] }
                        let inverse = 1 / tape.norms[b]
                        for i in 0..<h { dy[i] = (dy[i] - yb[i] * dot) * inverse }
                    }
                }
            }
        }
        let total = tape.lengths.reduce(0, +)
        var d = Tensor(zeros: [total, h])
        d.withUnsafeMutableBufferPointer { ds in
            pooledGradient.withUnsafeBufferPointer { dp in
                var offset = 0
                for (b, length) in tape.lengths.enumerated() {
                    let rows = ds.baseAddress! + offset * h, src = dp.baseAddress! + b * h
                    switch pooling {
                    case .mean, .meanSqrtLength:
                        let divisor = pooling == .mean ? Float(length) : Float(length).squareRoot()
                        let inverse = 1 / Swift.max(divisor, 1e-9)
                        for r in 0..<length {
                            for i in 0..<h { rows[r * h + i] = src[i] * inverse }
                        }
                    case .cls:
                        for i in 0..<h { rows[i] = src[i] }
                    case .max:
                        for i in 0..<h { rows[Int(tape.maxIndices[b * h + i]) * h + i] = src[i] }
                    }
                    offset += length
                }
            }
        }
        for (index, (layer, layerTape)) in zip(layers, tape.layers).enumerated().reversed() {
            d = layer.backward(layerTape, outputGradient: d, parameters, config: config, inputGradient: index > 0)
        }
    }
}

// MARK: - One layer

/// The parameters of one encoder layer, registered under its checkpoint names.
private struct LayerUnits {
    let query, key, value: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)
    let attentionOutput: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)
    let attentionNorm: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)
    let intermediate: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)
    let output: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)
    let outputNorm: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)

    init(_ p: ParameterSet, _ weights: some WeightSource, name: String, config: BERT.Config) throws {
        let h = config.hiddenSize, inner = config.intermediateSize
        func dense(_ part: String, out: Int, in: Int) throws -> (ParameterSet.Handle, ParameterSet.Handle) {
            (try p.add("\(name).\(part).weight", shape: [out, `in`], from: weights, kind: .decayed),
             try p.add("\(name).\(part).bias", shape: [out], from: weights, kind: .undecayed))
        }
        func norm(_ part: String) throws -> (ParameterSet.Handle, ParameterSet.Handle) {
            (try p.add("\(name).\(part).weight", shape: [h], from: weights, kind: .undecayed),
             try p.add("\(name).\(part).bias", shape: [h], from: weights, kind: .undecayed))
        }
        query = try dense("attention.self.query", out: h, in: h)
        key = try dense("attention.self.key", out: h, in: h)
        value = try dense("attention.self.value", out: h, in: h)
        attentionOutput = try dense("attention.output.dense", out: h, in: h)
        attentionNorm = try norm("attention.output.LayerNorm")
        intermediate = try dense("intermediate.dense", out: inner, in: h)
        output = try dense("output.dense", out: h, in: inner)
        outputNorm = try norm("output.LayerNorm")
    }

    /// `x → LN(x + drop(Wo·attention(x))) = a → LN(a + drop(W2·gelu(W1·a)))`, keeping what
    /// `backward` needs; `dropout` holds the two masks (`[n · hidden]` each, empty: none).
    func forward(_ x: Tensor, lengths: [Int], _ p: ParameterSet, config: BERT.Config,
                 dropout: (attention: [Float], output: [Float])) -> LayerTape {
        let n = x.shape[0], h = config.hiddenSize, inner = config.intermediateSize, eps = config.layerNormEps
        func linear(_ input: UnsafePointer<Float>, _ unit: (weight: ParameterSet.Handle, bias: ParameterSet.Handle),
                    in: Int, out: Int, into output: UnsafeMutablePointer<Float>, stride: Int? = nil) {
            LinearKernel.forward(input, rows: n, inFeatures: `in`, outFeatures: out, weight: p.value(unit.weight).baseAddress!,
                                 bias: p.value(unit.bias).baseAddress!, output: output, outputStride: stride)
        }
        func normalized(_ input: Tensor, _ unit: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)) -> Tensor {
            var out = input
            out.withUnsafeMutableBufferPointer {
                LayerNormKernel.apply($0.baseAddress!, rows: n, width: h, gamma: p.value(unit.weight).baseAddress!,
                                      beta: p.value(unit.bias).baseAddress!, epsilon: eps)
            }
            return out
        }
        let qkv = Tensor(shape: [n, 3 * h]) { out in
            x.withUnsafeBufferPointer { xs in
                for (j, unit) in [query, key, value].enumerated() {
                    linear(xs.baseAddress!, unit, in: h, out: h, into: out.baseAddress! + j * h, stride: 3 * h)
                }
            }
        }
        let context = Tensor(shape: [n, h]) { out in
            qkv.withUnsafeBufferPointer {
                Attention.forward(qkv: $0.baseAddress!, lengths: lengths, heads: config.numAttentionHeads,
                                  headSize: config.headSize, output: out.baseAddress!)
            }
        }
        let attentionSum = Tensor(shape: [n, h]) { out in
            context.withUnsafeBufferPointer { linear($0.baseAddress!, attentionOutput, in: h, out: h, into: out.baseAddress!) }
            Dropout.apply(dropout.attention, to: out.baseAddress!)
            x.withUnsafeBufferPointer { Residual.add(out.baseAddress!, $0.baseAddress!, count: n * h) }
        }
        let attended = normalized(attentionSum, attentionNorm)
        let preActivation = Tensor(shape: [n, inner]) { out in
            attended.withUnsafeBufferPointer { linear($0.baseAddress!, intermediate, in: h, out: inner, into: out.baseAddress!) }
        }
        var activation = preActivation
        activation.withUnsafeMutableBufferPointer { a in
            let pointer = SendablePointer(a.baseAddress!)
            Parallel.forEachRange(a.count) { range in
                Activation.geluErf(pointer.pointer + range.lowerBound, count: range.count)
            }
        }
        let outputSum = Tensor(shape: [n, h]) { out in
            activation.withUnsafeBufferPointer { linear($0.baseAddress!, output, in: inner, out: h, into: out.baseAddress!) }
            Dropout.apply(dropout.output, to: out.baseAddress!)
            attended.withUnsafeBufferPointer { Residual.add(out.baseAddress!, $0.baseAddress!, count: n * h) }
        }
        return LayerTape(lengths: lengths, input: x, qkv: qkv, context: context, attentionSum: attentionSum,
                         attended: attended, preActivation: preActivation, activation: activation,
                         outputSum: outputSum, output: normalized(outputSum, outputNorm), dropout: dropout)
    }

    /// Accumulates the layer's parameter gradients and returns `∂L/∂x` `[n, hidden]` (empty
    /// when `inputGradient` is false: the layer below is frozen).
    func backward(_ tape: LayerTape, outputGradient: Tensor, _ p: ParameterSet, config: BERT.Config,
                  inputGradient: Bool) -> Tensor {
        let n = tape.input.shape[0], h = config.hiddenSize, inner = config.intermediateSize, eps = config.layerNormEps
        func weight(_ unit: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)) -> UnsafeMutablePointer<Float> {
            p.value(unit.weight).baseAddress!
        }
        func normBackward(_ input: Tensor, _ gradient: UnsafeMutablePointer<Float>,
                          _ unit: (weight: ParameterSet.Handle, bias: ParameterSet.Handle)) {
            input.withUnsafeBufferPointer { xs in
                LayerNormKernel.backward(input: xs.baseAddress!, outputGradient: gradient, rows: n, width: h,
                                         gamma: weight(unit), epsilon: eps, inputGradient: gradient,
                                         gammaGradient: p.gradient(unit.weight).baseAddress!,
                                         betaGradient: p.gradient(unit.bias).baseAddress!)
            }
        }
        // Output LayerNorm, then the second dense layer: ∂L/∂activation.
        var d = outputGradient
        d.withUnsafeMutableBufferPointer { normBackward(tape.outputSum, $0.baseAddress!, outputNorm) }
        var dOutputDense = d
        if !tape.dropout.output.isEmpty {
            dOutputDense.withUnsafeMutableBufferPointer { Dropout.apply(tape.dropout.output, to: $0.baseAddress!) }
        }
        var dInner = Tensor(shape: [n, inner]) { dAct in
            tape.activation.withUnsafeBufferPointer { act in
                dOutputDense.withUnsafeBufferPointer { dy in
                    LinearKernel.backward(act.baseAddress!, rows: n, inFeatures: inner, outFeatures: h, weight: weight(output),
                                          outputGradient: dy.baseAddress!, inputGradient: dAct.baseAddress!,
                                          weightGradient: p.gradient(output.weight).baseAddress!,
                                          biasGradient: p.gradient(output.bias).baseAddress!)
                }
            }
        }
        dInner.withUnsafeMutableBufferPointer { g in
            tape.preActivation.withUnsafeBufferPointer {
                ActivationBackward.geluErf(input: $0.baseAddress!, outputGradient: g.baseAddress!,
                                           inputGradient: g.baseAddress!, count: g.count)
            }
        }
        // ∂L/∂attended: the residual path plus the first dense layer's input gradient.
        var dAttended = d
        dAttended.withUnsafeMutableBufferPointer { da in
            tape.attended.withUnsafeBufferPointer { a in
                dInner.withUnsafeBufferPointer { dy in
                    LinearKernel.backward(a.baseAddress!, rows: n, inFeatures: h, outFeatures: inner,
                                          weight: weight(intermediate), outputGradient: dy.baseAddress!,
                                          inputGradient: da.baseAddress!, accumulateInputGradient: true,
                                          weightGradient: p.gradient(intermediate.weight).baseAddress!,
                                          biasGradient: p.gradient(intermediate.bias).baseAddress!)
                }
            }
            normBackward(tape.attentionSum, da.baseAddress!, attentionNorm)
        }
        // Attention output dense layer, then attention itself.
        var dAttentionDense = dAttended
        if !tape.dropout.attention.isEmpty {
            dAttentionDense.withUnsafeMutableBufferPointer { Dropout.apply(tape.dropout.attention, to: $0.baseAddress!) }
        }
        let dContext = Tensor(shape: [n, h]) { dc in
            tape.context.withUnsafeBufferPointer { c in
                dAttentionDense.withUnsafeBufferPointer { dy in
                    LinearKernel.backward(c.baseAddress!, rows: n, inFeatures: h, outFeatures: h, weight: weight(attentionOutput),
                                          outputGradient: dy.baseAddress!, inputGradient: dc.baseAddress!,
                                          weightGradient: p.gradient(attentionOutput.weight).baseAddress!,
                                          biasGradient: p.gradient(attentionOutput.bias).baseAddress!)
                }
            }
        }
        let dQKV = Tensor(shape: [n, 3 * h]) { dq in
            tape.qkv.withUnsafeBufferPointer { qkv in
                dContext.withUnsafeBufferPointer { dc in
                    Attention.backward(qkv: qkv.baseAddress!, lengths: tape.lengths, heads: config.numAttentionHeads,
                                       headSize: config.headSize, outputGradient: dc.baseAddress!,
                                       qkvGradient: dq.baseAddress!)
                }
            }
        }
        // ∂L/∂x: the residual path plus the Q, K and V projections' input gradients.
        var dx = inputGradient ? dAttended : Tensor(zeros: [0])
        dx.withUnsafeMutableBufferPointer { dxs in
            tape.input.withUnsafeBufferPointer { xs in
                dQKV.withUnsafeBufferPointer { dq in
                    for (j, unit) in [query, key, value].enumerated() {
                        LinearKernel.backward(xs.baseAddress!, rows: n, inFeatures: h, outFeatures: h, weight: weight(unit),
                                              outputGradient: dq.baseAddress! + j * h, outputStride: 3 * h,
                                              inputGradient: inputGradient ? dxs.baseAddress! : nil,
                                              accumulateInputGradient: true,
                                              weightGradient: p.gradient(unit.weight).baseAddress!,
                                              biasGradient: p.gradient(unit.bias).baseAddress!)
                    }
                }
            }
        }
        return dx
    }
}

/// What one layer's forward pass keeps: its input and every intermediate the backward pass reads.
private struct LayerTape {
    let lengths: [Int]
    /// `[n, hidden]`
    let input: Tensor
    /// `[n, 3 · hidden]`, queries, keys, values
    let qkv: Tensor
    /// `[n, hidden]`, attention output before its dense layer
    let context: Tensor
    /// `[n, hidden]`, input of the attention LayerNorm (dense(context) + input)
    let attentionSum: Tensor
    /// `[n, hidden]`, after the attention LayerNorm
    let attended: Tensor
    /// `[n, intermediate]`, before GELU
    let preActivation: Tensor
    /// `[n, intermediate]`, after GELU
    let activation: Tensor
    /// `[n, hidden]`, input of the output LayerNorm (dense(activation) + attended)
    let outputSum: Tensor
    /// `[n, hidden]`, the layer's output
    let output: Tensor
    /// The dropout masks after the two dense layers (empty: none).
    let dropout: (attention: [Float], output: [Float])
}
