import Foundation
import SuiteFoundation

/// A ResNet (He et al. 2016) as torchvision's `torchvision.models.resnet.ResNet` computes it in
/// eval mode: stem → stages of basic or bottleneck blocks → global average pooling → `fc`.
///
/// Parameters have torchvision's names (`conv1.weight`, `bn1.running_mean`,
/// `layer2.0.downsample.0.weight`, `fc.bias`, ...), so a torchvision state dict saved as
/// safetensors loads as is (extra buffers such as `num_batches_tracked` are ignored). For
/// inference each batch norm is folded into the convolution before it when the model is built,
/// so the forward pass is convolutions with a bias, ReLU, residual adds and pooling only.
///
/// Layout: NCHW, Float32. Stage `s` (from 0) has `widths[s]` channels inside its blocks
/// (`widths[s] · 4` at a bottleneck's output) and stride 1 for the first stage, 2 after; the
/// first block of a stage has a `downsample` (1×1 conv + BN) when its stride or width changes.
public struct ResNet: Sendable {
    /// The `architecture` object of a model folder's `model.json`.
    ///
    /// ```json
    /// {"block": "basic", "stem": "small", "widths": [32, 64, 128], "depths": [2, 2, 2],
    ///  "input_channels": 1, "classes": 2}
    /// ```
    /// Unknown keys and unknown values throw, naming the field.
    public struct Config: Codable, Sendable, Equatable {
        public enum Block: String, Sendable, StrictStringEnum {
            /// Two 3×3 convolutions (ResNet-18/34).
            case basic
            /// 1×1 → 3×3 (strided) → 1×1 with 4× expansion (ResNet-50 and deeper; torchvision v1.5).
            case bottleneck

            /// Output channels of a block per unit of stage width.
            public var expansion: Int { self == .basic ? 1 : 4 }
        }

        public enum Stem: String, Sendable, StrictStringEnum {
            /// 7×7 stride-2 convolution (padding 3) + BN + ReLU + 3×3 stride-2 max pool (padding 1),
            /// for 224×224 inputs.
            case imagenet
            /// 3×3 stride-1 convolution (padding 1) + BN + ReLU, no pooling, for small inputs such as 28×28.
            case small
        }

        public var block: Block
        public var stem: Stem
        /// Channels of each stage (the stem outputs `widths[0]`).
        public var widths: [Int]
        /// Blocks in each stage.
        public var depths: [Int]
        public var inputChannels: Int
        public var classes: Int

        enum CodingKeys: String, CodingKey, CaseIterable {
            case block, stem, widths, depths, inputChannels = "input_channels", classes
        }

        public init(block: Block, stem: Stem, widths: [Int], depths: [Int], inputChannels: Int, classes: Int) {
            self.block = block
            self.stem = stem
            self.widths = widths
            self.depths = depths
            self.inputChannels = inputChannels
            self.classes = classes
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, keys: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            block = try c.decode(Block.self, forKey: .block)
            stem = try c.decode(Stem.self, forKey: .stem)
            widths = try c.decode([Int].self, forKey: .widths)
            depths = try c.decode([Int].self, forKey: .depths)
            inputChannels = try c.decode(Int.self, forKey: .inputChannels)
            classes = try c.decode(Int.self, forKey: .classes)
        }

        /// Reads the `architecture` object of `model.json` (other top-level keys belong to the
        /// caller: input spec, labels, thresholds) and validates it.
        public static func load(modelJSON url: URL) throws -> Config {
            struct ModelFile: Decodable { let architecture: Config }
            let config = try decodeConfig(ModelFile.self, at: url).architecture
            try config.validate(path: url.path)
            return config
        }

        /// Checks the values the architecture depends on; called at load time, never in `forward`.
        public func validate(path: String) throws {
            func field(_ name: String, _ value: String) -> ModelError {
                .unsupported(path: path, field: "architecture.\(name)", value: value)
            }
            guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else { throw field("widths", "\(widths)") }
            guard depths.allSatisfy({ $0 > 0 }) else { throw field("depths", "\(depths)") }
            guard depths.count == widths.count else {
                throw ModelError.invalidConfig(
                    path: path, detail: "architecture: \(widths.count) widths but \(depths.count) depths")
            }
            guard inputChannels > 0 else { throw field("input_channels", String(inputChannels)) }
            guard classes > 0 else { throw field("classes", String(classes)) }
        }

        /// Channels of the last stage's output (the classifier's input).
        public var features: Int { widths[widths.count - 1] * block.expansion }
    }

    /// A convolution without bias followed by an eval-mode batch norm, folded into one biased
    /// convolution.
    private struct ConvBN: Sendable {
        let weight: Tensor  // [out, in, k, k]
        let bias: Tensor    // [out]
        let kernel: Int, stride: Int, padding: Int
        /// The weights' Winograd transform, for the convolutions that take that path.
        let filter: Conv2D.WinogradFilter?

        /// Reads `<conv>.weight` and `<bn>.{weight,bias,running_mean,running_var}`.
        init(_ weights: some WeightSource, conv: String, bn: String, in inChannels: Int, out: Int,
             kernel: Int, stride: Int, padding: Int) throws {
            let w = try weights.tensor("\(conv).weight", shape: [out, inChannels, kernel, kernel])
            func t(_ suffix: String) throws -> Tensor { try weights.tensor("\(bn).\(suffix)", shape: [out]) }
            (weight, bias) = BatchNorm.fold(weight: w, bias: nil, gamma: try t("weight"), beta: try t("bias"),
                                            runningMean: try t("running_mean"), runningVar: try t("running_var"))
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            let g = Conv2DGeometry(batch: 1, inChannels: inChannels, height: kernel, width: kernel, outChannels: out,
                                   kernel: kernel, stride: stride, padding: padding)
            filter = Conv2D.Winograd.pays(g) ? Conv2D.WinogradFilter(weight: weight) : nil
        }

        var outChannels: Int { weight.shape[0] }

        /// - Parameter x: `[N, in, H, W]`
        /// - Returns: `[N, out, H', W']`, through a ReLU when `relu` (fused into the convolution).
        func callAsFunction(_ x: Tensor, relu: Bool) -> Tensor {
            let g = Conv2DGeometry(batch: x.shape[0], inChannels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                   outChannels: outChannels, kernel: kernel, stride: stride, padding: padding)
            return Conv2D.forward(x, weight: weight, bias: bias, relu: relu, filter: filter, g)
        }
    }

    /// `layerS.B`: a basic block (`conv1`, `conv2`) or a bottleneck (`conv1`, `conv2`, `conv3`),
    /// each with its `bnK`, and an optional `downsample` (`.0` conv, `.1` batch norm).
    private struct Block: Sendable {
        let convs: [ConvBN]
        let downsample: ConvBN?

        init(_ weights: some WeightSource, name: String, kind: Config.Block, in inChannels: Int, width: Int,
             stride: Int) throws {
            let out = width * kind.expansion
            switch kind {
            case .basic:
                convs = [
                    try ConvBN(weights, conv: "\(name).conv1", bn: "\(name).bn1", in: inChannels, out: width,
                               kernel: 3, stride: stride, padding: 1),
                    try ConvBN(weights, conv: "\(name).conv2", bn: "\(name).bn2", in: width, out: width,
                               kernel: 3, stride: 1, padding: 1),
                ]
            case .bottleneck:
                convs = [
                    try ConvBN(weights, conv: "\(name).conv1", bn: "\(name).bn1", in: inChannels, out: width,
                               kernel: 1, stride: 1, padding: 0),
                    try ConvBN(weights, conv: "\(name).conv2", bn: "\(name).bn2", in: width, out: width,
                               kernel: 3, stride: stride, padding: 1),
                    try ConvBN(weights, conv: "\(name).conv3", bn: "\(name).bn3", in: width, out: out,
                               kernel: 1, stride: 1, padding: 0),
                ]
            }
            downsample = stride != 1 || inChannels != out
                ? try ConvBN(weights, conv: "\(name).downsample.0", bn: "\(name).downsample.1", in: inChannels,
                             out: out, kernel: 1, stride: stride, padding: 0)
                : nil
        }

        /// `relu(convs(x) + shortcut(x))`, with ReLU after every conv but the last.
        func callAsFunction(_ x: Tensor) -> Tensor {
            var y = x
            for (i, conv) in convs.enumerated() { y = conv(y, relu: i < convs.count - 1) }
            let shortcut = downsample.map { $0(x, relu: false) } ?? x
            precondition(shortcut.shape == y.shape, "residual \(shortcut.shape) vs \(y.shape)")
            shortcut.withUnsafeBufferPointer { s in
                y.withUnsafeMutableBufferPointer { Residual.addReLU($0.baseAddress!, s.baseAddress!, count: $0.count) }
            }
            return y
        }
    }

    /// What one forward pass yields: the logits and the features the class activation maps
    /// are made from.
    public struct Output: Sendable {
        /// `[N, classes]`
        public let logits: Tensor
        /// The last stage's output (after its final ReLU): `[N, features, h, w]`.
        public let features: Tensor
    }

    public let config: Config
    private let stem: ConvBN
    private let stages: [[Block]]
    /// `fc`: `[classes, features]`, bias `[classes]`.
    private let classifier: Linear

    /// Builds the network from torchvision-named parameters: a checkpoint (`SafeTensorsFile`) or
    /// fresh ones (`FreshWeights`). A missing tensor or one of the wrong shape throws, naming it.
    public init(config: Config, weights: some WeightSource) throws {
        self.config = config
        let first = config.widths[0]
        stem = config.stem == .imagenet
            ? try ConvBN(weights, conv: "conv1", bn: "bn1", in: config.inputChannels, out: first,
                         kernel: 7, stride: 2, padding: 3)
            : try ConvBN(weights, conv: "conv1", bn: "bn1", in: config.inputChannels, out: first,
                         kernel: 3, stride: 1, padding: 1)
        var channels = first
        var stages: [[Block]] = []
        for (s, (width, depth)) in zip(config.widths, config.depths).enumerated() {
            var blocks: [Block] = []
            for b in 0..<depth {
                blocks.append(try Block(weights, name: "layer\(s + 1).\(b)", kind: config.block, in: channels,
                                        width: width, stride: s > 0 && b == 0 ? 2 : 1))
                channels = width * config.block.expansion
            }
            stages.append(blocks)
        }
        self.stages = stages
        classifier = Linear(weight: try weights.tensor("fc.weight", shape: [config.classes, config.features]),
                            bias: try weights.tensor("fc.bias", shape: [config.classes]))
    }

    /// Runs the network in eval mode.
    ///
    /// - Parameter images: `[N, inputChannels, H, W]` (normalised as the model expects).
    /// - Returns: logits `[N, classes]` and the last stage's features `[N, features, h, w]`.
    public func forward(_ images: Tensor) -> Output {
        precondition(images.shape.count == 4 && images.shape[1] == config.inputChannels,
                     "ResNet input \(images.shape), expected [N, \(config.inputChannels), H, W]")
        var x = stem(images, relu: true)
        if config.stem == .imagenet {
            let g = Pool2DGeometry(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                   kernel: 3, stride: 2, padding: 1)
            let input = x
            x = Tensor(shape: g.outputShape) { out in
                input.withUnsafeBufferPointer {
                    Pooling2D.max(g, input: $0.baseAddress!, output: out.baseAddress!, indices: nil)
                }
            }
        }
        for stage in stages {
            for block in stage { x = block(x) }
        }
        let batch = x.shape[0], channels = x.shape[1], spatial = x.shape[2] * x.shape[3]
        let features = x
        let logits = Tensor(shape: [batch, config.classes]) { out in
            var pooled = [Float](repeating: 0, count: batch * channels)
            features.withUnsafeBufferPointer { f in
                Pooling2D.globalAverage(f.baseAddress!, planes: batch * channels, spatial: spatial, output: &pooled)
            }
            classifier.apply(pooled, rows: batch, into: out.baseAddress!)
        }
        return Output(logits: logits, features: features)
    }

    /// Class activation maps (Zhou et al. 2016) from a forward pass's features:
    /// `cam[n, i, j] = Σ_c fc.weight[classes[n], c] · features[n, c, i, j]`. Their spatial mean
    /// plus `fc.bias[k]` is the logit of class `k`, so positive regions push the score up.
    ///
    /// - Parameter classes: the class to explain for each image (`N` entries).
    /// - Returns: `[N, h, w]` at the feature resolution (upsampling is the caller's).
    public func classActivationMaps(_ output: Output, classes: [Int]) -> Tensor {
        let f = output.features
        let batch = f.shape[0], channels = f.shape[1], spatial = f.shape[2] * f.shape[3]
        precondition(classes.count == batch && classes.allSatisfy { (0..<config.classes).contains($0) },
                     "one class in 0..<\(config.classes) per image")
        return Tensor(shape: [batch, f.shape[2], f.shape[3]]) { out in
            out.update(repeating: 0)
            classifier.weight.withUnsafeBufferPointer { w in
                f.withUnsafeBufferPointer { x in
                    for n in 0..<batch {
                        let row = w.baseAddress! + classes[n] * channels
                        let map = out.baseAddress! + n * spatial
                        for c in 0..<channels {
                            let weight = row[c], plane = x.baseAddress! + (n * channels + c) * spatial
                            for i in 0..<spatial { map[i] += weight * plane[i] }
                        }
                    }
                }
            }
        }
    }

    /// `classActivationMaps` of the same class for every image.
    public func classActivationMaps(_ output: Output, class k: Int) -> Tensor {
        classActivationMaps(output, classes: Array(repeating: k, count: output.features.shape[0]))
    }
}
