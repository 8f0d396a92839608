/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and (L2, coupled)
/// weight decay, step for step as `torch.optim.SGD`:
/// `g ← ∇ + λ·θ`; `b ← g` on the first step, else `b ← μ·b + (1 − dampening)·g`;
/// `g ← g + μ·b` (Nesterov) or `g ← b`; `θ ← θ − lr·g`.
package struct SGD: Optimizer, Sendable {
    package var momentum: Float
    package var dampening: Float
    package var weightDecay: Float
    package var nesterov: Bool
    package private(set) var steps = 0
    private var buffer: [Float] = []

    package init(momentum: Float = 0.9, dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires momentum > 0 and no dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    package mutating func step(_ parameters: ParameterSet, learningRate lr: Float) {
        let first = buffer.isEmpty
        if first { buffer = [Float](repeating: 0, count: parameters.scalarCount) }
        precondition(buffer.count == parameters.scalarCount, "SGD: parameters were added after the first step")
        let values = parameters.allValues.baseAddress!, gradients = parameters.allGradients.baseAddress!
        let (mu, damp, nesterov) = (momentum, dampening, self.nesterov)
        buffer.withUnsafeMutableBufferPointer { bufferPointer in
            let b = bufferPointer.baseAddress!
            for e in parameters.entries where e.kind != .buffer {
                let decay = e.kind == .decayed ? weightDecay : 0
                for i in e.offset..<(e.offset + e.count) {
                    var g = gradients[i]
                    if decay != 0 { g += decay * values[i] }
                    if mu != 0 {
                        b[i] = first ? g : mu * b[i] + (1 - damp) * g
                        g = nesterov ? g + mu * b[i] : b[i]
                    }
                    values[i] -= lr * g
                }
            }
        }
        steps += 1
    }
}
