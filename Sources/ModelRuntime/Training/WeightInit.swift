import Foundation

/// How to fill one fresh parameter tensor (PyTorch's `torch.nn.init` distributions; the
/// random streams differ from PyTorch's, the distributions do not).
public enum WeightInit: Sendable, Hashable {
    case zeros
    case ones
    case constant(Float)
    case normal(mean: Float, std: Float)
    case uniform(lower: Float, upper: Float)
    /// `N(0, (gain / √fan)²)` — `kaiming_normal_`; torchvision's ResNet uses it for every
    /// convolution with `mode: .fanOut, gain: √2` (ReLU).
    case kaimingNormal(mode: FanMode, gain: Float)
    /// `U(−b, b)` with `b = gain · √(3 / fan)` — `kaiming_uniform_`. PyTorch's default for
    /// `nn.Conv2d`/`nn.Linear` weights is `mode: .fanIn, gain: √(1/3)` (a = √5), i.e. `b = 1/√fanIn`.
    case kaimingUniform(mode: FanMode, gain: Float)

    public enum FanMode: Sendable, Hashable { case fanIn, fanOut }

    /// The gain for ReLU, √2.
    package static let reluGain: Float = Float(2).squareRoot()
    /// `nn.Conv2d`/`nn.Linear`'s default weight initialisation: `U(−1/√fanIn, 1/√fanIn)`.
    package static let pytorchDefault = WeightInit.kaimingUniform(mode: .fanIn, gain: Float(1.0 / 3.0).squareRoot())
    /// `nn.Conv2d`/`nn.Linear`'s default bias initialisation for a layer with `fanIn` inputs.
    static func pytorchDefaultBias(fanIn: Int) -> WeightInit {
        let bound = 1 / Float(max(fanIn, 1)).squareRoot()
        return .uniform(lower: -bound, upper: bound)
    }

    /// PyTorch's fans of a weight `[out, in, k...]`: `fanIn = in · Πk`, `fanOut = out · Πk`
    /// (for a 1-D tensor both are its length).
    package static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else { return (shape.first ?? 1, shape.first ?? 1) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Fills `buffer` (a tensor of `shape`) from `generator`.
    func fill(_ buffer: UnsafeMutableBufferPointer<Float>, shape: [Int],
                     using generator: inout some RandomNumberGenerator) {
        switch self {
        case .zeros: buffer.update(repeating: 0)
        case .ones: buffer.update(repeating: 1)
        case .constant(let c): buffer.update(repeating: c)
        case .normal(let mean, let std): Self.fillNormal(buffer, mean: mean, std: std, using: &generator)
        case .uniform(let lower, let upper): Self.fillUniform(buffer, lower: lower, upper: upper, using: &generator)
        case .kaimingNormal(let mode, let gain):
            let fans = Self.fans(shape)
            let std = gain / Float(max(mode == .fanIn ? fans.fanIn : fans.fanOut, 1)).squareRoot()
            Self.fillNormal(buffer, mean: 0, std: std, using: &generator)
        case .kaimingUniform(let mode, let gain):
            let fans = Self.fans(shape)
            let bound = gain * (3 / Float(max(mode == .fanIn ? fans.fanIn : fans.fanOut, 1))).squareRoot()
            Self.fillUniform(buffer, lower: -bound, upper: bound, using: &generator)
        }
    }

    /// A fresh tensor of `shape`.
    public func tensor(_ shape: [Int], using generator: inout some RandomNumberGenerator) -> Tensor {
        Tensor(shape: shape) { fill($0, shape: shape, using: &generator) }
    }

    /// A double in [0, 1) from the top 53 bits.
    @inline(__always)
    static func unit(_ generator: inout some RandomNumberGenerator) -> Double {
        Double(generator.next() >> 11) * 0x1p-53
    }

    static func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, lower: Float, upper: Float,
                            using generator: inout some RandomNumberGenerator) {
        let width = Double(upper) - Double(lower)
        for i in buffer.indices { buffer[i] = Float(Double(lower) + width * unit(&generator)) }
    }

    /// Box–Muller, both values of each pair used.
    static func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float, std: Float,
                           using generator: inout some RandomNumberGenerator) {
        var i = 0
        while i < buffer.count {
            let u1 = 1 - unit(&generator)  // (0, 1]
            let u2 = unit(&generator)
            let radius = (-2 * log(u1)).squareRoot()
            buffer[i] = mean + std * Float(radius * cos(2 * Double.pi * u2))
            if i + 1 < buffer.count { buffer[i + 1] = mean + std * Float(radius * sin(2 * Double.pi * u2)) }
            i += 2
        }
    }
}
