import Foundation

/// The `ResNet` of the same `ResNet.Config` in training mode: batch norms use batch statistics
/// and update their running statistics, every activation a backward pass needs is kept, and
/// gradients accumulate into a `ParameterSet` under torchvision's names.
///
/// One definition serves both modes: the trainable network registers exactly the tensors that
/// `ResNet` reads (`conv1.weight`, `bn1.running_mean`, `layer2.0.downsample.1.weight`, `fc.bias`,
/// ...), so `inferenceModel()` builds the eval-mode network (batch norms folded) from the
/// current parameters with the same loader that reads a checkpoint, and the parameter set is
/// itself the checkpoint (`ParameterSet.namedTensors()`).
///
/// Kinds: convolution and `fc` weights are `.decayed`; batch-norm γ/β and `fc.bias` are
/// `.undecayed`; running statistics are `.buffer`s.
public final class TrainableResNet: @unchecked Sendable {
    public let config: ResNet.Config
    /// Values, gradients and running statistics; share it with the optimiser.
    public let parameters: ParameterSet
    /// `nn.BatchNorm2d`'s momentum for the running statistics.
    public var batchNormMomentum: Float = 0.1

    private let stem: ConvBNUnit
    private let blocks: [BlockUnits]
    private let fcWeight: ParameterSet.Handle
    private let fcBias: ParameterSet.Handle

    /// Registers every parameter of `config`, read from `weights` (a checkpoint to fine-tune or
    /// resume, or `FreshWeights` to start from scratch). Shapes are checked against the config.
    public init(config: ResNet.Config, weights: some WeightSource) throws {
        self.config = config
        let parameters = ParameterSet()
        self.parameters = parameters
        let first = config.widths[0]
        stem = config.stem == .imagenet
            ? try ConvBNUnit(parameters, weights, conv: "conv1", bn: "bn1", in: config.inputChannels, out: first,
                             kernel: 7, stride: 2, padding: 3)
            : try ConvBNUnit(parameters, weights, conv: "conv1", bn: "bn1", in: config.inputChannels, out: first,
                             kernel: 3, stride: 1, padding: 1)
        var channels = first
        var blocks: [BlockUnits] = []
        for (s, (width, depth)) in zip(config.widths, config.depths).enumerated() {
            for b in 0..<depth {
                blocks.append(try BlockUnits(parameters, weights, name: "layer\(s + 1).\(b)", kind: config.block,
                                             in: channels, width: width, stride: s > 0 && b == 0 ? 2 : 1))
                channels = width * config.block.expansion
            }
        }
        self.blocks = blocks
        fcWeight = try parameters.add("fc.weight", shape: [config.classes, config.features], from: weights, kind: .decayed)
        fcBias = try parameters.add("fc.bias", shape: [config.classes], from: weights, kind: .undecayed)
    }

    /// The eval-mode network (batch norms folded) from the current parameters.
    public func inferenceModel() throws -> ResNet {
        try ResNet(config: config, weights: parameters)
    }

    /// What a training-mode forward pass keeps for `backward`.
    public struct Tape: @unchecked Sendable {
        fileprivate let stem: UnitTape
        fileprivate let pool: (geometry: Pool2DGeometry, input: Tensor, indices: [Int32])?
        fileprivate let blocks: [BlockTape]
        /// `[N, features, h, w]`, the last stage's output.
        fileprivate let features: Tensor
        /// `[N, features]`
        fileprivate let pooled: [Float]
    }

    /// Training-mode forward pass: batch statistics, running statistics updated.
    ///
    /// - Parameter images: `[N, inputChannels, H, W]`, N · h · w > 1 at every batch norm.
    /// - Returns: logits `[N, classes]` and the tape for `backward`.
    public func forward(_ images: Tensor) -> (logits: Tensor, tape: Tape) {
        precondition(images.shape.count == 4 && images.shape[1] == config.inputChannels,
                     "ResNet input \(images.shape), expected [N, \(config.inputChannels), H, W]")
        let p = parameters, momentum = batchNormMomentum
        let stemTape = stem.forward(images, relu: true, p, momentum: momentum)
        var x = stemTape.output
        var pool: (Pool2DGeometry, Tensor, [Int32])?
        if config.stem == .imagenet {
            let g = Pool2DGeometry(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                   kernel: 3, stride: 2, padding: 1)
            var indices = [Int32](repeating: 0, count: g.planes * g.outputPlane)
            let input = x
            x = Tensor(shape: g.outputShape) { out in
                input.withUnsafeBufferPointer { src in
                    indices.withUnsafeMutableBufferPointer {
                        Pooling2D.max(g, input: src.baseAddress!, output: out.baseAddress!, indices: $0.baseAddress!)
                    }
                }
            }
            pool = (g, input, indices)
        }
        var blockTapes: [BlockTape] = []
        for block in blocks {
            let tape = block.forward(x, p, momentum: momentum)
            x = tape.output
            blockTapes.append(tape)
        }
        let batch = x.shape[0], channels = x.shape[1], spatial = x.shape[2] * x.shape[3]
        var pooled = [Float](repeating: 0, count: batch * channels)
        x.withUnsafeBufferPointer { f in
            Pooling2D.globalAverage(f.baseAddress!, planes: batch * channels, spatial: spatial, output: &pooled)
        }
        let weight = p.value(fcWeight), bias = p.value(fcBias)
        let logits = Tensor(shape: [batch, config.classes]) { out in
            LinearKernel.forward(pooled, rows: batch, inFeatures: channels, outFeatures: config.classes,
                                 weight: weight.baseAddress!, bias: bias.baseAddress!, output: out.baseAddress!)
        }
        return (logits, Tape(stem: stemTape, pool: pool, blocks: blockTapes, features: x, pooled: pooled))
    }

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
        var d = Tensor(shape: f.shape) { dx in
            Pooling2D.globalAverageBackward(pooledGradient, planes: batch * channels, spatial: spatial,
                                            inputGradient: dx.baseAddress!)
        }
        for (block, blockTape) in zip(blocks, tape.blocks).reversed() {
            d = block.backward(blockTape, outputGradient: d, p)
        }
        if let pool = tape.pool {
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
        _ = stem.backward(tape.stem, outputGradient: d, p, inputGradient: false)
    }
}

// MARK: - Units

/// One convolution without bias and the batch norm after it (optionally followed by ReLU).
private struct ConvBNUnit {
    let weight, gamma, beta, runningMean, runningVar: ParameterSet.Handle
    let inChannels, outChannels, kernel, stride, padding: Int

    init(_ p: ParameterSet, _ weights: some WeightSource, conv: String, bn: String, in inChannels: Int, out: Int,
         kernel: Int, stride: Int, padding: Int) throws {
        weight = try p.add("\(conv).weight", shape: [out, inChannels, kernel, kernel], from: weights, kind: .decayed)
        gamma = try p.add("\(bn).weight", shape: [out], from: weights, kind: .undecayed)
        beta = try p.add("\(bn).bias", shape: [out], from: weights, kind: .undecayed)
        runningMean = try p.add("\(bn).running_mean", shape: [out], from: weights, kind: .buffer)
        runningVar = try p.add("\(bn).running_var", shape: [out], from: weights, kind: .buffer)
        self.inChannels = inChannels
        outChannels = out
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    func geometry(_ x: Tensor) -> Conv2DGeometry {
        Conv2DGeometry(batch: x.shape[0], inChannels: inChannels, height: x.shape[2], width: x.shape[3],
                       outChannels: outChannels, kernel: kernel, stride: stride, padding: padding)
    }

    /// `relu?(bn(conv(x)))` with batch statistics (the ReLU fused into the batch norm's pass).
    func forward(_ x: Tensor, relu: Bool, _ p: ParameterSet, momentum: Float) -> UnitTape {
        let g = geometry(x)
        let w = p.value(weight).baseAddress!
        let conv = Tensor(shape: g.outputShape) { out in
            x.withUnsafeBufferPointer { Conv2D.forward(g, input: $0.baseAddress!, weight: w, bias: nil, output: out.baseAddress!) }
        }
        var saved = BatchNorm.Saved(channels: outChannels)
        let output = Tensor(shape: g.outputShape) { out in
            conv.withUnsafeBufferPointer { c in
                BatchNorm.training(c.baseAddress!, batch: g.batch, channels: outChannels, spatial: g.outputPlane,
                                   gamma: p.value(gamma).baseAddress!, beta: p.value(beta).baseAddress!,
                                   runningMean: p.value(runningMean).baseAddress!,
                                   runningVar: p.value(runningVar).baseAddress!, momentum: momentum, relu: relu,
                                   into: out.baseAddress!, saved: &saved)
            }
        }
        return UnitTape(geometry: g, input: x, conv: conv, saved: saved, output: output, relu: relu)
    }

    /// Accumulates the unit's parameter gradients and returns `∂L/∂x` (empty when `inputGradient` is false).
    func backward(_ tape: UnitTape, outputGradient: Tensor, _ p: ParameterSet, inputGradient: Bool = true) -> Tensor {
        let g = tape.geometry
        // ∂L/∂(conv output), into a new tensor: the incoming gradient is often shared (a block's
        // gradient feeds both paths), so writing in place would copy it first.
        let d = Tensor(shape: g.outputShape) { dz in
            outputGradient.withUnsafeBufferPointer { dy in
                tape.conv.withUnsafeBufferPointer { c in
                    tape.output.withUnsafeBufferPointer { y in
                        BatchNorm.backward(c.baseAddress!, outputGradient: dy.baseAddress!,
                                           reluOutput: tape.relu ? y.baseAddress! : nil, batch: g.batch,
                                           channels: outChannels, spatial: g.outputPlane,
                                           gamma: p.value(gamma).baseAddress!, saved: tape.saved,
                                           inputGradient: dz.baseAddress!, gammaGradient: p.gradient(gamma).baseAddress!,
                                           betaGradient: p.gradient(beta).baseAddress!)
                    }
                }
            }
        }
        let shape = inputGradient ? g.inputShape : [0]
        return Tensor(shape: shape) { dx in
            tape.input.withUnsafeBufferPointer { x in
                d.withUnsafeBufferPointer { dy in
                    Conv2D.backward(g, input: x.baseAddress!, weight: p.value(weight).baseAddress!,
                                    outputGradient: dy.baseAddress!, inputGradient: inputGradient ? dx.baseAddress! : nil,
                                    weightGradient: p.gradient(weight).baseAddress!, biasGradient: nil)
                }
            }
        }
    }
}

private struct UnitTape {
    let geometry: Conv2DGeometry
    let input: Tensor
    /// The convolution's output (the batch norm's input).
    let conv: Tensor
    let saved: BatchNorm.Saved
    /// After batch norm (and ReLU when `relu`).
    let output: Tensor
    let relu: Bool
}

/// A basic block (two 3×3 units) or a bottleneck (1×1, 3×3, 1×1), with its optional downsample.
private struct BlockUnits {
    let units: [ConvBNUnit]
    let downsample: ConvBNUnit?

    init(_ p: ParameterSet, _ weights: some WeightSource, name: String, kind: ResNet.Config.Block, in inChannels: Int,
         width: Int, stride: Int) throws {
        let out = width * kind.expansion
        switch kind {
        case .basic:
            units = [
                try ConvBNUnit(p, weights, conv: "\(name).conv1", bn: "\(name).bn1", in: inChannels, out: width,
                               kernel: 3, stride: stride, padding: 1),
                try ConvBNUnit(p, weights, conv: "\(name).conv2", bn: "\(name).bn2", in: width, out: width,
                               kernel: 3, stride: 1, padding: 1),
            ]
        case .bottleneck:
            units = [
                try ConvBNUnit(p, weights, conv: "\(name).conv1", bn: "\(name).bn1", in: inChannels, out: width,
                               kernel: 1, stride: 1, padding: 0),
                try ConvBNUnit(p, weights, conv: "\(name).conv2", bn: "\(name).bn2", in: width, out: width,
                               kernel: 3, stride: stride, padding: 1),
                try ConvBNUnit(p, weights, conv: "\(name).conv3", bn: "\(name).bn3", in: width, out: out,
                               kernel: 1, stride: 1, padding: 0),
            ]
        }
        downsample = stride != 1 || inChannels != out
            ? try ConvBNUnit(p, weights, conv: "\(name).downsample.0", bn: "\(name).downsample.1", in: inChannels,
                             out: out, kernel: 1, stride: stride, padding: 0)
            : nil
    }

    /// `relu(units(x) + shortcut(x))`, ReLU after every unit but the last.
    func forward(_ x: Tensor, _ p: ParameterSet, momentum: Float) -> BlockTape {
        var tapes: [UnitTape] = []
        var y = x
        for (i, unit) in units.enumerated() {
            let tape = unit.forward(y, relu: i < units.count - 1, p, momentum: momentum)
            tapes.append(tape)
            y = tape.output
        }
        let shortcutTape = downsample.map { $0.forward(x, relu: false, p, momentum: momentum) }
        let shortcut = shortcutTape?.output ?? x
        precondition(shortcut.shape == y.shape, "residual \(shortcut.shape) vs \(y.shape)")
        shortcut.withUnsafeBufferPointer { s in
            y.withUnsafeMutableBufferPointer { Residual.addReLU($0.baseAddress!, s.baseAddress!, count: $0.count) }
        }
        return BlockTape(units: tapes, shortcut: shortcutTape, output: y)
    }

    /// `∂L/∂x` through both paths, accumulating the parameter gradients.
    func backward(_ tape: BlockTape, outputGradient: Tensor, _ p: ParameterSet) -> Tensor {
        // Through the final ReLU, into a new tensor (both paths read it; the caller keeps its own).
        let residualGradient = Tensor(shape: outputGradient.shape) { dx in
            outputGradient.withUnsafeBufferPointer { dy in
                tape.output.withUnsafeBufferPointer {
                    ActivationBackward.relu(output: $0.baseAddress!, outputGradient: dy.baseAddress!,
                                            inputGradient: dx.baseAddress!, count: dx.count)
                }
            }
        }
        var d = residualGradient
        for (unit, unitTape) in zip(units, tape.units).reversed() {
            d = unit.backward(unitTape, outputGradient: d, p)
        }
        var shortcutGradient = residualGradient
        if let downsample, let shortcutTape = tape.shortcut {
            shortcutGradient = downsample.backward(shortcutTape, outputGradient: residualGradient, p)
        }
        shortcutGradient.withUnsafeBufferPointer { s in
            d.withUnsafeMutableBufferPointer { Residual.accumulate($0.baseAddress!, s.baseAddress!, count: $0.count) }
        }
        return d
    }
}

private struct BlockTape {
    let units: [UnitTape]
    let shortcut: UnitTape?
    /// After the residual add and ReLU.
    let output: Tensor
}
