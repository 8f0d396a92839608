import Foundation

extension TrainableResNet {
    /// Accumulates (`+=`) the gradients of every parameter given `∂L/∂logits` `[N, classes]`
    /// (e.g. from `CrossEntropyLoss`). Call `parameters.zeroGradients()` between steps.
    public func backward(_ tape: Tape, logitsGradient: Tensor) {
        let p = parameters
        let f = tape.features
        let batch = f.shape[0], channels = f.shape[1], spatial = f.shape[2] * f.shape[3]
        precondition(logitsGradient.shape == [batch, config.classes], "logits gradient \(logitsGradient.shape)")
        var pooledGradient = [Float](repeating: 0, count: batch * channels)
        logitsGradient.withUnsafeBufferPointer { dy in
            LinearKernel.backward(tape.pooled, rows: batch, inFeatures: channels, outFeatures: config.classes,
                                  weight: p.value(fcWeight).baseAddress!, outputGradient: dy.baseAddress!,
                                  inputGradient: &pooledGradient, weightGradient: p.gradient(fcWeight).baseAddress!,
                                  biasGradient: p.gradient(fcBias).baseAddress!)
        }
        let featuresGradient = Tensor(shape: f.shape) { dx in
            Pooling2D.globalAverageBackward(pooledGradient, planes: batch * channels, spatial: spatial,
                                            inputGradient: dx.baseAddress!)
        }
        layers.backward(tape.layers, featuresGradient: featuresGradient, p)
    }
}

extension ResNet.Layers where Unit == ResNet.TrainingConvBN {
    /// Accumulates the gradients of every convolution and batch norm given `∂L/∂features`
    /// `[N, features, h, w]`, through the blocks in reverse, the max pool and the stem (whose
    /// input gradient is not computed).
    func backward(_ kept: Kept, featuresGradient: Tensor, _ p: ParameterSet) {
        var d = featuresGradient
        for (block, blockKept) in zip(blocks, kept.blocks).reversed() {
            d = block.backward(blockKept, outputGradient: d, p)
        }
        if let pool = kept.pool {
            let dy = d
            d = Tensor(shape: pool.input.shape) { dx in
                dy.withUnsafeBufferPointer { g in
                    pool.indices.withUnsafeBufferPointer {
                        Pooling2D.maxBackward(pool.geometry, outputGradient: g.baseAddress!, indices: $0.baseAddress!,
                                              inputGradient: dx.baseAddress!)
                    }
                }
            }
        }
        _ = stem.backward(kept.stem, outputGradient: d, p, inputGradient: false)
    }
}

/// A `ConvBNLayer` that can pass a gradient back: the training unit, which also accumulates its
/// parameters' gradients, and the folded inference unit (input gradients only, for Grad-CAM).
protocol DifferentiableConvBNLayer: ConvBNLayer {
    /// Where parameter gradients accumulate (`Void` when they are not computed).
    associatedtype Gradients

    /// `∂L/∂x` `[N, in, H, W]` given `∂L/∂output` `[N, out, H', W']` (an empty tensor when
    /// `inputGradient` is false).
    func backward(_ kept: Kept, outputGradient: Tensor, _ gradients: Gradients, inputGradient: Bool) -> Tensor
}

extension ResNet.TrainingConvBN: DifferentiableConvBNLayer {}

extension ResNet.Block where Unit: DifferentiableConvBNLayer {
    /// `∂L/∂x` `[N, in, H, W]` through both paths given `∂L/∂output`, accumulating the
    /// parameter gradients into `p`.
    func backward(_ kept: Kept, outputGradient: Tensor, _ p: Unit.Gradients) -> Tensor {
        // Through the final ReLU, into a new tensor (both paths read it; the caller keeps its own).
        let residualGradient = Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                kept.output.withUnsafeBufferPointer {
                    ActivationBackward.relu(output: $0.baseAddress!, outputGradient: dy.baseAddress!,
                                            inputGradient: dx.baseAddress!, count: dx.count)
                }
            }
        }
        var d = residualGradient
        for (conv, convKept) in zip(convs, kept.convs).reversed() {
            d = conv.backward(convKept, outputGradient: d, p, inputGradient: true)
        }
        var shortcutGradient = residualGradient
        if let downsample, let downsampleKept = kept.downsample {
            shortcutGradient = downsample.backward(downsampleKept, outputGradient: residualGradient, p,
                                                   inputGradient: true)
        }
        shortcutGradient.withUnsafeBufferPointer { s in
            d.withUnsafeMutableBufferPointer { Residual.accumulate($0.baseAddress!, s.baseAddress!, count: $0.count) }
        }
        return d
    }
}

extension ResNet.TrainingConvBN {
    /// Accumulates the convolution's and batch norm's parameter gradients given `∂L/∂output`
    /// `[N, out, H', W']` and returns `∂L/∂x` `[N, in, H, W]` (an empty tensor when
    /// `inputGradient` is false).
    func backward(_ kept: Kept, outputGradient: Tensor, _ p: ParameterSet, inputGradient: Bool = true) -> Tensor {
        let g = kept.geometry
        // ∂L/∂(conv output), into a new tensor: the incoming gradient is often shared (a block's
        // gradient feeds both paths), so writing in place would copy it first.
        let d = Tensor(shape: g.outputShape) { dz in
            outputGradient.withUnsafeBufferPointer { dy in
                kept.conv.withUnsafeBufferPointer { c in
                    kept.output.withUnsafeBufferPointer { y in
                        BatchNorm.backward(c.baseAddress!, outputGradient: dy.baseAddress!,
                                           reluOutput: kept.relu ? y.baseAddress! : nil, batch: g.batch,
                                           channels: spec.outChannels, spatial: g.outputPlane,
                                           gamma: p.value(gamma).baseAddress!, saved: kept.saved,
                                           inputGradient: dz.baseAddress!, gammaGradient: p.gradient(gamma).baseAddress!,
                                           betaGradient: p.gradient(beta).baseAddress!)
                    }
                }
            }
        }
        return Tensor(shape: inputGradient ? g.inputShape : [0]) { dx in
            kept.input.withUnsafeBufferPointer { x in
                d.withUnsafeBufferPointer { dy in
                    Conv2D.backward(g, input: x.baseAddress!, weight: p.value(weight).baseAddress!,
                                    outputGradient: dy.baseAddress!, inputGradient: inputGradient ? dx.baseAddress! : nil,
                                    weightGradient: p.gradient(weight).baseAddress!, biasGradient: nil)
                }
            }
        }
    }
}
