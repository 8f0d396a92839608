import Foundation

/// A ResNet (He et al. 2016) as torchvision's `torchvision.models.resnet.ResNet` computes it in
/// eval mode: stem → stages of basic or bottleneck blocks → global average pooling → `fc`.
///
/// Parameters have torchvision's names (`conv1.weight`, `bn1.running_mean`,
/// `layer2.0.downsample.0.weight`, `fc.bias`, ...), so a torchvision state dict saved as
/// safetensors loads as is (extra buffers such as `num_batches_tracked` are ignored). For
/// inference each batch norm is folded into the convolution before it when the model is built,
/// so the forward pass is convolutions with a bias, ReLU, residual adds and pooling only. The
/// structure is `ResNet.Layers` (ResNet+Blocks.swift), the same that `TrainableResNet` trains.
///
/// Layout: NCHW, Float32. Stage `s` (from 0) has `widths[s]` channels inside its blocks
/// (`widths[s] · 4` at a bottleneck's output) and stride 1 for the first stage, 2 after; the
/// first block of a stage has a `downsample` (1×1 conv + BN) when its stride or width changes.
public struct ResNet: Sendable {
    /// A convolution without bias followed by an eval-mode batch norm, folded into one biased
    /// convolution when the model is built (the inference `ConvBNLayer`).
    struct FoldedConvBN: ConvBNLayer, Sendable {
        /// `[out, in, k, k]`
        let weight: Tensor
        /// `[out]`
        let bias: Tensor
        let spec: ConvBNSpec
        /// The weights' Winograd transform, for the convolutions that take that path.
        let filter: Conv2D.WinogradFilter?

        /// What a forward pass keeps for `backward` (Grad-CAM) when its context asks for it.
        struct Saved: Sendable {
            /// `[N, in, H, W]`
            let input: Tensor
            /// `[N, out, H', W']`, after the ReLU when `relu`.
            let output: Tensor
            let relu: Bool
        }

        /// The context is whether to keep `Saved`.
        static func keeps(_ keep: Bool) -> Bool { keep }

        /// Reads `<conv>.weight` and `<bn>.{weight,bias,running_mean,running_var}` and folds them.
        init(_ spec: ConvBNSpec, _ weights: some WeightSource) throws {
            let out = spec.outChannels
            let w = try weights.tensor("\(spec.conv).weight", shape: [out, spec.inChannels, spec.kernel, spec.kernel])
            func t(_ suffix: String) throws -> Tensor { try weights.tensor("\(spec.bn).\(suffix)", shape: [out]) }
            (weight, bias) = BatchNorm.fold(weight: w, bias: nil, gamma: try t("weight"), beta: try t("bias"),
                                            runningMean: try t("running_mean"), runningVar: try t("running_var"))
            self.spec = spec
            filter = Conv2D.Winograd.pays(spec.geometry([1, spec.inChannels, spec.kernel, spec.kernel]))
                ? Conv2D.WinogradFilter(weight: weight) : nil
        }

        /// - Parameter x: `[N, in, H, W]`
        /// - Returns: `[N, out, H', W']`, through a ReLU when `relu` (fused into the convolution),
        ///   and, when `keep`, what `backward` reads.
        func forward(_ x: Tensor, relu: Bool, _ keep: Bool) -> (output: Tensor, kept: Saved?) {
            let y = Conv2D.forward(x, weight: weight, bias: bias, relu: relu, filter: filter, spec.geometry(x.shape))
            return (y, keep ? Saved(input: x, output: y, relu: relu) : nil)
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

    public var config: Config { layers.config }
    let layers: Layers<FoldedConvBN>
    /// `fc`: `[classes, features]`, bias `[classes]`.
    let classifier: Linear

    /// Builds the network from torchvision-named parameters: a checkpoint (`SafeTensorsFile`),
    /// fresh ones (`FreshWeights`) or a training `ParameterSet`. A missing tensor or one of the
    /// wrong shape throws, naming it.
    public init(config: Config, weights: some WeightSource) throws {
        layers = try Layers(config) { try FoldedConvBN($0, weights) }
        classifier = Linear(weight: try weights.tensor("fc.weight", shape: [config.classes, config.features]),
                            bias: try weights.tensor("fc.bias", shape: [config.classes]))
    }

    /// Runs the network in eval mode.
    ///
    /// - Parameter images: `[N, inputChannels, H, W]` (normalised as the model expects).
    /// - Returns: logits `[N, classes]` and the last stage's features `[N, features, h, w]`.
    public func forward(_ images: Tensor) -> Output {
        let (features, pooled, _) = layers.forward(images, false)
        let batch = features.shape[0]
        let logits = Tensor(shape: [batch, config.classes]) { classifier.apply(pooled, rows: batch, into: $0.baseAddress!) }
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
