import Foundation

/// Adam with decoupled weight decay, step for step as `torch.optim.AdamW` (amsgrad off):
/// `θ ← θ·(1 − lr·λ)`; `m ← β₁·m + (1 − β₁)·g`; `v ← β₂·v + (1 − β₂)·g²`;
/// `θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)`.
public struct AdamW: Optimizer, Sendable {
    package var beta1: Float
    package var beta2: Float
    package var epsilon: Float
    public var weightDecay: Float
    public private(set) var steps = 0
    private var m: [Float] = []
    private var v: [Float] = []

    /// PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8, weight decay 0.01.
    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// The first and second moment estimates (one per scalar of the parameter set, empty
    /// before the first step), for checkpoints.
    package var moments: (first: [Float], second: [Float]) { (m, v) }

    /// Restores a checkpointed state, so that a resumed run continues exactly.
    /// - Precondition: both moments have the same length.
    mutating func restore(steps: Int, first: [Float], second: [Float]) {
        precondition(first.count == second.count && steps >= 0, "AdamW: inconsistent state")
        self.steps = steps
        m = first
        v = second
    }

    public mutating func step(_ parameters: ParameterSet, learningRate lr: Float) {
        if m.isEmpty {
            m = [Float](repeating: 0, count: parameters.scalarCount)
            v = m
        }
        precondition(m.count == parameters.scalarCount, "AdamW: parameters were added after the first step")
        steps += 1
        let t = Double(steps)
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2Root = Float((1 - pow(Double(beta2), t)).squareRoot())
        let stepSize = lr / correction1
        let values = parameters.allValues.baseAddress!, gradients = parameters.allGradients.baseAddress!
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        m.withUnsafeMutableBufferPointer { mPointer in
            v.withUnsafeMutableBufferPointer { vPointer in
                let m = mPointer.baseAddress!, v = vPointer.baseAddress!
                for e in parameters.entries where e.kind != .buffer {
                    let shrink = e.kind == .decayed ? 1 - lr * weightDecay : 1
                    for i in e.offset..<(e.offset + e.count) {
                        let g = gradients[i]
                        values[i] *= shrink
                        m[i] += (g - m[i]) * (1 - b1)
                        v[i] = b2 * v[i] + (1 - b2) * (g * g)
                        let denominator = v[i].squareRoot() / correction2Root + eps
                        values[i] -= stepSize * m[i] / denominator
                    }
                }
            }
        }
    }
}
