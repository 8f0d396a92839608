/// A `WeightSource` that makes new parameters instead of reading a checkpoint, so one model
/// definition is built either way (candle's VarBuilder idea).
///
/// Each tensor is drawn from its own stream, derived from the seed and the tensor's name: the
/// values depend only on (seed, name, shape, rule), not on the order in which a model asks.
public struct FreshWeights: WeightSource, Sendable {
    /// Chooses the initialisation of a parameter from its checkpoint name and shape.
    public typealias Rule = @Sendable (_ name: String, _ shape: [Int]) -> WeightInit

    public let seed: UInt64
    public let rule: Rule

    public init(seed: UInt64, rule: @escaping Rule) {
        self.seed = seed
        self.rule = rule
    }

    /// Takes the seed from an injected generator (one draw).
    public init(using generator: inout some RandomNumberGenerator, rule: @escaping Rule) {
        self.init(seed: generator.next(), rule: rule)
    }

    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        var generator = SeededGenerator(seed: seed, stream: name)
        return rule(name, shape).tensor(shape, using: &generator)
    }

    /// Every name can be made; the model's config, not the source, decides what exists.
    public func contains(_ name: String) -> Bool { true }

    /// torchvision's ResNet initialisation (`torchvision.models.resnet.ResNet.__init__`):
    /// convolution weights (4-D) Kaiming normal, fan-out, ReLU gain; batch-norm weight 1 and
    /// bias 0, running mean 0 and variance 1; 2-D weights (the classifier) `nn.Linear`'s default
    /// `U(±1/√inFeatures)`. A bias is told only its own shape, so the classifier's bias gets
    /// that default only when `classifierInFeatures` is given (else 0).
    /// With `zeroInitResidual`, the names it accepts (the last batch norm of each block, e.g.
    /// `layer1.0.bn2.weight`) start at 0, as torchvision's `zero_init_residual=True`.
    public static func torchvisionResNet(classifier: String = "fc", classifierInFeatures: Int? = nil,
                                         zeroInitResidual: (@Sendable (String) -> Bool)? = nil) -> Rule {
        let classifierBias = classifier + ".bias"
        return { name, shape in
            if shape.count == 4 { return .kaimingNormal(mode: .fanOut, gain: WeightInit.reluGain) }
            if shape.count == 2 { return .pytorchDefault }
            if name == classifierBias {
                return classifierInFeatures.map { WeightInit.pytorchDefaultBias(fanIn: $0) } ?? .zeros
            }
            if name.hasSuffix("running_var") { return .ones }
            if name.hasSuffix(".weight") { return zeroInitResidual?(name) == true ? .zeros : .ones }
            return .zeros
        }
    }
}
