// The structure of a ResNet, written once: which convolutions and batch norms, in which order,
// under which checkpoint names, with which residuals. `ResNet` (inference, batch norms folded)
// and `TrainableResNet` (batch statistics, kept activations) build the same `ResNet.Layers`
// from these specs, each with its own `ConvBNLayer`, and `ResNet.Config.convolutions` walks
// them for cost reports.

/// One convolution without bias followed by its batch norm: checkpoint names and geometry.
struct ConvBNSpec: Sendable {
    /// `conv1`, `layer2.0.conv1`, `layer2.0.downsample.0`, ...
    let conv: String
    /// `bn1`, `layer2.0.bn1`, `layer2.0.downsample.1`, ...
    let bn: String
    let inChannels, outChannels, kernel, stride, padding: Int

    /// The convolution's geometry on `x` `[N, inChannels, H, W]`.
    func geometry(_ x: [Int]) -> Conv2DGeometry {
        Conv2DGeometry(batch: x[0], inChannels: inChannels, height: x[2], width: x[3], outChannels: outChannels,
                       kernel: kernel, stride: stride, padding: padding)
    }
}

/// `layerS.B`: a basic block (`conv1`, `conv2`) or a bottleneck (`conv1`, `conv2`, `conv3`), each
/// convolution with its `bnK`, and a `downsample` (`.0` conv, `.1` batch norm) when the stride or
/// the width changes.
struct BlockSpec: Sendable {
    let name: String
    /// The main path in order; a ReLU follows every one but the last.
    let convs: [ConvBNSpec]
    let downsample: ConvBNSpec?

    init(name: String, kind: ResNet.Config.Block, in inChannels: Int, width: Int, stride: Int) {
        func unit(_ k: Int, in: Int, out: Int, kernel: Int, stride: Int) -> ConvBNSpec {
            ConvBNSpec(conv: "\(name).conv\(k)", bn: "\(name).bn\(k)", inChannels: `in`, outChannels: out,
                       kernel: kernel, stride: stride, padding: kernel / 2)
        }
        let out = width * kind.expansion
        self.name = name
        switch kind {
        case .basic:
            convs = [unit(1, in: inChannels, out: width, kernel: 3, stride: stride),
                     unit(2, in: width, out: width, kernel: 3, stride: 1)]
        case .bottleneck:
            convs = [unit(1, in: inChannels, out: width, kernel: 1, stride: 1),
                     unit(2, in: width, out: width, kernel: 3, stride: stride),
                     unit(3, in: width, out: out, kernel: 1, stride: 1)]
        }
        downsample = stride != 1 || inChannels != out
            ? ConvBNSpec(conv: "\(name).downsample.0", bn: "\(name).downsample.1", inChannels: inChannels,
                         outChannels: out, kernel: 1, stride: stride, padding: 0)
            : nil
    }
}

extension ResNet.Config {
    /// `conv1` + `bn1`: 7×7 stride 2 (ImageNet stem) or 3×3 stride 1 (small stem).
    var stemSpec: ConvBNSpec {
        stem == .imagenet
            ? ConvBNSpec(conv: "conv1", bn: "bn1", inChannels: inputChannels, outChannels: widths[0], kernel: 7,
                         stride: 2, padding: 3)
            : ConvBNSpec(conv: "conv1", bn: "bn1", inChannels: inputChannels, outChannels: widths[0], kernel: 3,
                         stride: 1, padding: 1)
    }

    /// The ImageNet stem's 3×3 stride-2 max pool (padding 1) on the stem's output `[N, C, H, W]`;
    /// nil for the small stem.
    func stemPool(_ x: [Int]) -> Pool2DGeometry? {
        stem == .imagenet
            ? Pool2DGeometry(batch: x[0], channels: x[1], height: x[2], width: x[3], kernel: 3, stride: 2, padding: 1)
            : nil
    }

    /// Every block, stage by stage: stage `s` has `depths[s]` blocks of width `widths[s]`, stride
    /// 2 in the first block of every stage but the first.
    var blockSpecs: [BlockSpec] {
        var channels = widths[0], specs: [BlockSpec] = []
        for (s, (width, depth)) in zip(widths, depths).enumerated() {
            for b in 0..<depth {
                specs.append(BlockSpec(name: "layer\(s + 1).\(b)", kind: block, in: channels, width: width,
                                       stride: s > 0 && b == 0 ? 2 : 1))
                channels = width * block.expansion
            }
        }
        return specs
    }
}

/// A convolution + batch norm (+ ReLU) as one mode holds and runs it: folded into one biased
/// convolution for inference (`ResNet.FoldedConvBN`), with batch statistics and what backward
/// reads in training (`ResNet.TrainingConvBN`).
protocol ConvBNLayer {
    /// What a forward pass needs besides the input (`Void` at inference).
    associatedtype Context
    /// What a forward pass keeps for backward (`Void` at inference).
    associatedtype Kept
    /// Whether forward passes in `context` keep what backward needs; false: nothing is kept, not
    /// even the max pool's indices.
    static func keeps(_ context: Context) -> Bool

    /// - Parameter x: `[N, in, H, W]`
    /// - Returns: `[N, out, H', W']`, through a ReLU when `relu`, and what backward needs.
    func forward(_ x: Tensor, relu: Bool, _ context: Context) -> (output: Tensor, kept: Kept)
}

extension ResNet {
    /// One block of `BlockSpec` in the mode of `Unit`.
    struct Block<Unit: ConvBNLayer> {
        let convs: [Unit]
        let downsample: Unit?

        init(_ spec: BlockSpec, unit: (ConvBNSpec) throws -> Unit) rethrows {
            convs = try spec.convs.map(unit)
            downsample = try spec.downsample.map(unit)
        }

        /// What a block's forward pass keeps for backward.
        struct Kept {
            let convs: [Unit.Kept]
            let downsample: Unit.Kept?
            /// `[N, out, H', W']`, after the residual add and ReLU.
            let output: Tensor
        }

        /// `relu(convs(x) + shortcut(x))`, a ReLU after every conv but the last; the shortcut is
        /// `downsample(x)` or `x`.
        ///
        /// - Parameter x: `[N, in, H, W]`
        /// - Returns: `[N, out, H', W']`, and what backward needs when `Unit.keeps`.
        func forward(_ x: Tensor, _ context: Unit.Context) -> (output: Tensor, kept: Kept?) {
            var y = x, kept: [Unit.Kept] = []
            for (i, conv) in convs.enumerated() {
                let convKept: Unit.Kept
                (y, convKept) = conv.forward(y, relu: i < convs.count - 1, context)
                if Unit.keeps(context) { kept.append(convKept) }
            }
            let shortcut = downsample.map { $0.forward(x, relu: false, context) }
            let s = shortcut?.output ?? x
            precondition(s.shape == y.shape, "residual \(s.shape) vs \(y.shape)")
            s.withUnsafeBufferPointer { s in
                y.withUnsafeMutableBufferPointer { Residual.addReLU($0.baseAddress!, s.baseAddress!, count: $0.count) }
            }
            return (y, Unit.keeps(context) ? Kept(convs: kept, downsample: shortcut?.kept, output: y) : nil)
        }
    }

    /// Stem, max pool (ImageNet stem), the blocks and global average pooling, in the mode of
    /// `Unit`; the classifier is the mode's.
    struct Layers<Unit: ConvBNLayer> {
        let config: Config
        let stem: Unit
        let blocks: [Block<Unit>]

        /// Builds every convolution of `config` with `unit` (which reads its weights).
        init(_ config: Config, unit: (ConvBNSpec) throws -> Unit) rethrows {
            self.config = config
            stem = try unit(config.stemSpec)
            blocks = try config.blockSpecs.map { try Block($0, unit: unit) }
        }

        /// What the forward pass keeps for backward.
        struct Kept {
            let stem: Unit.Kept
            /// The max pool's geometry, input and the index of each output's maximum.
            typealias Pool = (geometry: Pool2DGeometry, input: Tensor, indices: [Int32])
            let pool: Pool?
            let blocks: [Block<Unit>.Kept]
        }

        /// - Parameter images: `[N, inputChannels, H, W]`
        /// - Returns: the last stage's output `[N, features, h, w]`, its spatial means
        ///   `[N · features]`, and what backward needs when `Unit.keeps(context)`.
        func forward(_ images: Tensor, _ context: Unit.Context) -> (features: Tensor, pooled: [Float], kept: Kept?) {
            // Bound apart, so that nothing but `x` holds the stem's output once a block replaces it.
            var x: Tensor, stemKept: Unit.Kept, pool: Kept.Pool?
            (x, stemKept, pool) = stemForward(images, context)
            var kept: [Block<Unit>.Kept] = []
            for block in blocks {
                let blockKept: Block<Unit>.Kept?
                (x, blockKept) = block.forward(x, context)
                if let blockKept { kept.append(blockKept) }
            }
            return (x, Self.pooled(x), Unit.keeps(context) ? Kept(stem: stemKept, pool: pool, blocks: kept) : nil)
        }

        /// The stem and, with the ImageNet stem, its max pool.
        ///
        /// - Parameter images: `[N, inputChannels, H, W]`
        /// - Returns: the first block's input `[N, widths[0], H', W']` and what backward needs
        ///   (the pool's only when `Unit.keeps(context)`).
        func stemForward(_ images: Tensor, _ context: Unit.Context) -> (x: Tensor, stem: Unit.Kept, pool: Kept.Pool?) {
            precondition(images.shape.count == 4 && images.shape[1] == config.inputChannels,
                         "ResNet input \(images.shape), expected [N, \(config.inputChannels), H, W]")
            var x: Tensor, stemKept: Unit.Kept
            (x, stemKept) = stem.forward(images, relu: true, context)
            var pool: Kept.Pool?
            if let g = config.stemPool(x.shape) {
                let keeps = Unit.keeps(context)
                var indices = [Int32](repeating: 0, count: keeps ? g.planes * g.outputPlane : 0)
                let input = x
                x = Tensor(shape: g.outputShape) { out in
                    input.withUnsafeBufferPointer { src in
                        indices.withUnsafeMutableBufferPointer {
                            Pooling2D.max(g, input: src.baseAddress!, output: out.baseAddress!,
                                          indices: keeps ? $0.baseAddress! : nil)
                        }
                    }
                }
                if keeps { pool = (g, input, indices) }
            }
            return (x, stemKept, pool)
        }

        /// Global average pooling of `x` `[N, C, h, w]`: `[N · C]`.
        static func pooled(_ x: Tensor) -> [Float] {
            let planes = x.shape[0] * x.shape[1], spatial = x.shape[2] * x.shape[3]
            var pooled = [Float](repeating: 0, count: planes)
            x.withUnsafeBufferPointer { Pooling2D.globalAverage($0.baseAddress!, planes: planes, spatial: spatial, output: &pooled) }
            return pooled
        }
    }
}

extension ResNet.Block: Sendable where Unit: Sendable {}
extension ResNet.Block.Kept: Sendable where Unit.Kept: Sendable {}
extension ResNet.Layers: Sendable where Unit: Sendable {}
