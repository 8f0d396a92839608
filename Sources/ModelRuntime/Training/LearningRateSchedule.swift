import Foundation

/// A learning rate as a function of the step (an iteration or an epoch: the caller's unit),
/// in closed form so that a resumed run continues exactly.
///
/// Warm-up is linear from `base · warmupStartFactor` at step 0 towards `base` at step
/// `warmupSteps` (as `torch.optim.lr_scheduler.LinearLR(start_factor, 1, warmupSteps)`).
public enum LearningRateSchedule: Sendable, Hashable {
    case constant(Float)
    /// Warm-up, then cosine annealing from `base` (step `warmupSteps`) to `minimum` (step
    /// `totalSteps` and after): `min + (base − min) · (1 + cos(π · (t − w) / (T − w))) / 2`.
    case cosine(base: Float, minimum: Float = 0, warmupSteps: Int = 0, totalSteps: Int, warmupStartFactor: Float = 0.1)
    /// Warm-up, then `base · γ^⌊t / stepSize⌋` (`StepLR`, counted from step 0).
    case step(base: Float, stepSize: Int, gamma: Float = 0.1, warmupSteps: Int = 0, warmupStartFactor: Float = 0.1)

    public func learningRate(atStep t: Int) -> Float {
        switch self {
        case .constant(let lr):
            return lr
        case .cosine(let base, let minimum, let warmup, let total, let start):
            if t < warmup { return Self.warm(base, t, warmup, start) }
            guard t < total, total > warmup else { return minimum }
            let progress = Double(t - warmup) / Double(total - warmup)
            return minimum + (base - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
        case .step(let base, let stepSize, let gamma, let warmup, let start):
            precondition(stepSize > 0, "step schedule: stepSize must be positive")
            if t < warmup { return Self.warm(base, t, warmup, start) }
            return base * Float(pow(Double(gamma), Double(t / stepSize)))
        }
    }

    private static func warm(_ base: Float, _ t: Int, _ warmup: Int, _ start: Float) -> Float {
        base * (start + (1 - start) * Float(t) / Float(warmup))
    }
}
