import Foundation

/// The `ResNet` of the same `ResNet.Config` in training mode: the same `ResNet.Layers`, whose
/// batch norms use batch statistics and update their running statistics and whose forward pass
/// keeps every activation backward needs (ResNet+Backward.swift); gradients accumulate into a
/// `ParameterSet` under torchvision's names.
///
/// The trainable network registers exactly the tensors that `ResNet` reads (`conv1.weight`,
/// `bn1.running_mean`, `layer2.0.downsample.1.weight`, `fc.bias`, ...), so `inferenceModel()`
/// builds the eval-mode network (batch norms folded) from the current parameters with the same
/// loader that reads a checkpoint, and the parameter set is itself the checkpoint
/// (`ParameterSet.namedTensors()`).
///
/// Kinds: convolution and `fc` weights are `.decayed`; batch-norm γ/β and `fc.bias` are
/// `.undecayed`; running statistics are `.buffer`s.
public final class TrainableResNet: @unchecked Sendable {
    public var config: ResNet.Config { layers.config }
    /// Values, gradients and running statistics; share it with the optimiser.
    public let parameters: ParameterSet
    /// `nn.BatchNorm2d`'s momentum for the running statistics.
    public var batchNormMomentum: Float = 0.1

    let layers: ResNet.Layers<ResNet.TrainingConvBN>
    let fcWeight: ParameterSet.Handle
    let fcBias: ParameterSet.Handle

    /// Registers every parameter of `config`, read from `weights` (a checkpoint to fine-tune or
    /// resume, or `FreshWeights` to start from scratch). Shapes are checked against the config.
    public init(config: ResNet.Config, weights: some WeightSource) throws {
        let parameters = ParameterSet()
        self.parameters = parameters
        layers = try ResNet.Layers(config) { try ResNet.TrainingConvBN($0, parameters, weights) }
        fcWeight = try parameters.add("fc.weight", shape: [config.classes, config.features], from: weights, kind: .decayed)
        fcBias = try parameters.add("fc.bias", shape: [config.classes], from: weights, kind: .undecayed)
    }

    /// The eval-mode network (batch norms folded) from the current parameters.
    public func inferenceModel() throws -> ResNet {
        try ResNet(config: config, weights: parameters)
    }

    /// What a training-mode forward pass keeps for `backward`.
    public struct Tape: @unchecked Sendable {
        let layers: ResNet.Layers<ResNet.TrainingConvBN>.Kept
        /// `[N, features, h, w]`, the last stage's output.
        let features: Tensor
        /// `[N · features]`, its spatial means (the classifier's input).
        let pooled: [Float]
    }

    /// Training-mode forward pass: batch statistics, running statistics updated.
    ///
    /// - Parameter images: `[N, inputChannels, H, W]`, N · h · w > 1 at every batch norm.
    /// - Returns: logits `[N, classes]` and the tape for `backward`.
    public func forward(_ images: Tensor) -> (logits: Tensor, tape: Tape) {
        let p = parameters
        let (features, pooled, kept) = layers.forward(images, .init(parameters: p, momentum: batchNormMomentum))
        let batch = features.shape[0], channels = features.shape[1]
        let weight = p.value(fcWeight), bias = p.value(fcBias)
        let logits = Tensor(shape: [batch, config.classes]) { out in
            LinearKernel.forward(pooled, rows: batch, inFeatures: channels, outFeatures: config.classes,
                                 weight: weight.baseAddress!, bias: bias.baseAddress!, output: out.baseAddress!)
        }
        return (logits, Tape(layers: kept!, features: features, pooled: pooled))
    }
}

extension ResNet {
    /// A convolution without bias and the batch norm after it with batch statistics (the
    /// training `ConvBNLayer`), its tensors registered in a `ParameterSet`.
    struct TrainingConvBN: ConvBNLayer {
        /// The parameter set the handles point into and the running statistics' momentum.
        struct Context {
            let parameters: ParameterSet
            let momentum: Float
        }

        /// What `backward` reads.
        struct Kept {
            let geometry: Conv2DGeometry
            /// `[N, in, H, W]`
            let input: Tensor
            /// `[N, out, H', W']`, the convolution's output (the batch norm's input).
            let conv: Tensor
            let saved: BatchNorm.Saved
            /// `[N, out, H', W']`, after batch norm (and ReLU when `relu`).
            let output: Tensor
            let relu: Bool
        }

        let weight, gamma, beta, runningMean, runningVar: ParameterSet.Handle
        let spec: ConvBNSpec

        static func keeps(_: Context) -> Bool { true }

        /// Registers `<conv>.weight` (`.decayed`), `<bn>.weight`/`.bias` (`.undecayed`) and
        /// `<bn>.running_mean`/`.running_var` (`.buffer`s), read from `weights`.
        init(_ spec: ConvBNSpec, _ p: ParameterSet, _ weights: some WeightSource) throws {
            let out = spec.outChannels
            weight = try p.add("\(spec.conv).weight", shape: [out, spec.inChannels, spec.kernel, spec.kernel],
                               from: weights, kind: .decayed)
            gamma = try p.add("\(spec.bn).weight", shape: [out], from: weights, kind: .undecayed)
            beta = try p.add("\(spec.bn).bias", shape: [out], from: weights, kind: .undecayed)
            runningMean = try p.add("\(spec.bn).running_mean", shape: [out], from: weights, kind: .buffer)
            runningVar = try p.add("\(spec.bn).running_var", shape: [out], from: weights, kind: .buffer)
            self.spec = spec
        }

        /// `relu?(bn(conv(x)))` with batch statistics (the ReLU fused into the batch norm's pass).
        ///
        /// - Parameter x: `[N, in, H, W]`
        /// - Returns: `[N, out, H', W']` and what backward reads.
        func forward(_ x: Tensor, relu: Bool, _ context: Context) -> (output: Tensor, kept: Kept) {
            let g = spec.geometry(x.shape), p = context.parameters
            let w = p.value(weight).baseAddress!
            let conv = Tensor(shape: g.outputShape) { out in
                x.withUnsafeBufferPointer { Conv2D.forward(g, input: $0.baseAddress!, weight: w, bias: nil, output: out.baseAddress!) }
            }
            var saved = BatchNorm.Saved(channels: spec.outChannels)
            let output = Tensor(shape: g.outputShape) { out in
                conv.withUnsafeBufferPointer { c in
                    BatchNorm.training(c.baseAddress!, batch: g.batch, channels: spec.outChannels, spatial: g.outputPlane,
                                       gamma: p.value(gamma).baseAddress!, beta: p.value(beta).baseAddress!,
                                       runningMean: p.value(runningMean).baseAddress!,
                                       runningVar: p.value(runningVar).baseAddress!, momentum: context.momentum,
                                       relu: relu, into: out.baseAddress!, saved: &saved)
                }
            }
            return (output, Kept(geometry: g, input: x, conv: conv, saved: saved, output: output, relu: relu))
        }
    }
}
