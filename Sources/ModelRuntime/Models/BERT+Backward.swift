import Foundation

extension TrainableBERT {
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

extension BERT.Layer where Pass == BERT.TrainingPass {
    /// Accumulates the layer's parameter gradients and returns `∂L/∂x` `[n, hidden]` (empty
    /// when `inputGradient` is false: the layer below is frozen).
    func backward(_ tape: BERT.LayerTape, outputGradient: Tensor, _ p: ParameterSet, config: BERT.Config,
                  inputGradient: Bool) -> Tensor {
        let n = tape.input.shape[0], h = config.hiddenSize, inner = config.intermediateSize, eps = config.layerNormEps
        func weight(_ handle: ParameterSet.Handle) -> UnsafeMutablePointer<Float> { p.value(handle).baseAddress! }
        /// `∂L/∂input` `[n, unit.inFeatures]` of a dense layer followed by dropout with `mask` (empty:
        /// none), given the gradient after the dropout; accumulates the layer's parameter gradients.
        func denseBackward(_ unit: BERT.TrainingPass.Dense, input: Tensor, outputGradient: Tensor, dropout mask: [Float]) -> Tensor {
            var dy = outputGradient
            if !mask.isEmpty { dy.withUnsafeMutableBufferPointer { Dropout.apply(mask, to: $0.baseAddress!) } }
            return Tensor(shape: [n, unit.inFeatures]) { dx in
                input.withUnsafeBufferPointer { x in
                    dy.withUnsafeBufferPointer { g in
                        LinearKernel.backward(x.baseAddress!, rows: n, inFeatures: unit.inFeatures, outFeatures: unit.outFeatures,
                                              weight: weight(unit.weight), outputGradient: g.baseAddress!,
                                              inputGradient: dx.baseAddress!, weightGradient: p.gradient(unit.weight).baseAddress!,
                                              biasGradient: p.gradient(unit.bias).baseAddress!)
                    }
                }
            }
        }
        func normBackward(_ input: Tensor, _ gradient: UnsafeMutablePointer<Float>, _ unit: BERT.TrainingPass.Norm) {
            input.withUnsafeBufferPointer { xs in
                LayerNormKernel.backward(input: xs.baseAddress!, outputGradient: gradient, rows: n, width: h,
                                         gamma: weight(unit.weight), epsilon: eps, inputGradient: gradient,
                                         gammaGradient: p.gradient(unit.weight).baseAddress!,
                                         betaGradient: p.gradient(unit.bias).baseAddress!)
            }
        }
        // Output LayerNorm, then the second dense layer: ∂L/∂activation.
        var d = outputGradient
        d.withUnsafeMutableBufferPointer { normBackward(tape[.outputSum], $0.baseAddress!, outputNorm) }
        var dInner = denseBackward(output, input: tape[.activation], outputGradient: d, dropout: tape.dropout.output)
        dInner.withUnsafeMutableBufferPointer { g in
            tape[.preActivation].withUnsafeBufferPointer {
                ActivationBackward.geluErf(input: $0.baseAddress!, outputGradient: g.baseAddress!,
                                           inputGradient: g.baseAddress!, count: g.count)
            }
        }
        // ∂L/∂attended: the residual path plus the first dense layer's input gradient.
        var dAttended = d
        dAttended.withUnsafeMutableBufferPointer { da in
            tape[.attended].withUnsafeBufferPointer { a in
                dInner.withUnsafeBufferPointer { dy in
                    LinearKernel.backward(a.baseAddress!, rows: n, inFeatures: h, outFeatures: inner,
                                          weight: weight(intermediate.weight), outputGradient: dy.baseAddress!,
                                          inputGradient: da.baseAddress!, accumulateInputGradient: true,
                                          weightGradient: p.gradient(intermediate.weight).baseAddress!,
                                          biasGradient: p.gradient(intermediate.bias).baseAddress!)
                }
            }
            normBackward(tape[.attentionSum], da.baseAddress!, attentionNorm)
        }
        // Attention output dense layer, then attention itself.
        let dContext = denseBackward(attentionOutput, input: tape[.context], outputGradient: dAttended,
                                     dropout: tape.dropout.attention)
        let dQKV = Tensor(shape: [n, 3 * h]) { dq in
            tape[.qkv].withUnsafeBufferPointer { qkv in
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
                    for (j, unit) in qkv.enumerated() {
                        LinearKernel.backward(xs.baseAddress!, rows: n, inFeatures: h, outFeatures: h, weight: weight(unit.weight),
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
