import Foundation

extension ResNet {
    /// A forward pass that kept what `gradCAM` needs: the output of stage `stage` and the
    /// activations of every block after it.
    public struct ExplainedOutput: Sendable {
        /// Logits and last-stage features, as `forward(_:)` gives them.
        public let output: Output
        /// The explained stage (from 0).
        public let stage: Int
        /// The stage's output (after its last ReLU): `[N, C_s, h_s, w_s]`.
        let activation: Tensor
        /// What the blocks after the stage kept, in order.
        let blocks: [Block<FoldedConvBN>.Kept]
    }

    /// Runs the network in eval mode, as `forward(_:)`, keeping the output of stage `stage`
    /// and what the backward pass from the logits to it reads.
    ///
    /// - Parameters:
    ///   - images: `[N, inputChannels, H, W]` (normalised as the model expects).
    ///   - stage: `0..<config.depths.count`; the last one's output is the features.
    public func forward(_ images: Tensor, keepingStage stage: Int) -> ExplainedOutput {
        precondition(config.depths.indices.contains(stage), "stage \(stage) of \(config.depths.count)")
        let tap = config.depths.prefix(stage + 1).reduce(0, +)
        var x = layers.stemForward(images, false).x
        for block in layers.blocks[..<tap] { x = block.forward(x, false).output }
        let activation = x
        var kept: [Block<FoldedConvBN>.Kept] = []
        for block in layers.blocks[tap...] {
            let blockKept: Block<FoldedConvBN>.Kept?
            (x, blockKept) = block.forward(x, true)
            kept.append(blockKept!)
        }
        let pooled = Layers<FoldedConvBN>.pooled(x), batch = x.shape[0]
        let logits = Tensor(shape: [batch, config.classes]) { classifier.apply(pooled, rows: batch, into: $0.baseAddress!) }
        return ExplainedOutput(output: Output(logits: logits, features: x), stage: stage, activation: activation,
                               blocks: kept)
    }

    /// Grad-CAM (Selvaraju et al. 2017) of the kept stage. With `A` its output and `G` the
    /// gradient of `y[n] = Σ_k logitsGradient[n, k] · logits[n, k]` with respect to `A` (back
    /// through the later blocks in eval mode):
    /// `map[n, i, j] = Σ_c mean_ij(G[n, c]) · A[n, c, i, j]`, not rectified (negative where the
    /// stage's evidence lowers `y`). Of the last stage this is the class activation map of the
    /// same logit combination divided by `h · w`.
    ///
    /// - Parameter logitsGradient: `[N, classes]`, the logit combination to explain per image
    ///   (one-hot: one class's logit; `+1, −1`: the difference of two).
    /// - Returns: `[N, h_s, w_s]` at the stage's resolution, in units of `y` (upsampling is the
    ///   caller's).
    public func gradCAM(_ pass: ExplainedOutput, logitsGradient: Tensor) -> Tensor {
        let f = pass.output.features
        let batch = f.shape[0], channels = f.shape[1], spatial = f.shape[2] * f.shape[3]
        precondition(logitsGradient.shape == [batch, config.classes], "logits gradient \(logitsGradient.shape)")
        // ∂y/∂features: ∂y/∂pooled = logitsGradient · fc.weight, spread evenly by the average pool.
        var d = Tensor(shape: f.shape) { dx in
            logitsGradient.withUnsafeBufferPointer { g in
                classifier.weight.withUnsafeBufferPointer { w in
                    for n in 0..<batch {
                        for c in 0..<channels {
                            var sum: Float = 0
                            for k in 0..<config.classes { sum += g[n * config.classes + k] * w[k * channels + c] }
                            (dx.baseAddress! + (n * channels + c) * spatial).update(repeating: sum / Float(spatial),
                                                                                   count: spatial)
                        }
                    }
                }
            }
        }
        for (block, kept) in zip(layers.blocks.suffix(pass.blocks.count), pass.blocks).reversed() {
            d = block.backward(kept, outputGradient: d, ())
        }
        let a = pass.activation
        let stageChannels = a.shape[1], plane = a.shape[2] * a.shape[3]
        return Tensor(shape: [batch, a.shape[2], a.shape[3]]) { out in
            out.update(repeating: 0)
            d.withUnsafeBufferPointer { g in
                a.withUnsafeBufferPointer { x in
                    for n in 0..<batch {
                        let map = out.baseAddress! + n * plane
                        for c in 0..<stageChannels {
                            let offset = (n * stageChannels + c) * plane
                            var weight: Float = 0
                            for i in 0..<plane { weight += g[offset + i] }
                            weight /= Float(plane)
                            for i in 0..<plane { map[i] += weight * x[offset + i] }
                        }
                    }
                }
            }
        }
    }
}

extension ResNet.FoldedConvBN: DifferentiableConvBNLayer {
    /// `∂L/∂x` `[N, in, H, W]` given `∂L/∂output` `[N, out, H', W']`, through the ReLU when the
    /// forward pass had one; the folded weights are constants (no parameter gradients).
    func backward(_ kept: Saved?, outputGradient: Tensor, _: Void, inputGradient: Bool) -> Tensor {
        guard let kept else { preconditionFailure("backward through a convolution whose forward pass kept nothing") }
        let g = spec.geometry(kept.input.shape)
        let d = !kept.relu ? outputGradient : Tensor(shape: outputGradient.shape) { dz in
            outputGradient.withUnsafeBufferPointer { dy in
                kept.output.withUnsafeBufferPointer {
                    ActivationBackward.relu(output: $0.baseAddress!, outputGradient: dy.baseAddress!,
                                            inputGradient: dz.baseAddress!, count: dz.count)
                }
            }
        }
        return Tensor(shape: inputGradient ? g.inputShape : [0]) { dx in
            kept.input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    d.withUnsafeBufferPointer { dy in
                        Conv2D.backward(g, input: x.baseAddress!, weight: w.baseAddress!, outputGradient: dy.baseAddress!,
                                        inputGradient: inputGradient ? dx.baseAddress! : nil, weightGradient: nil,
                                        biasGradient: nil)
                    }
                }
            }
        }
    }
}
