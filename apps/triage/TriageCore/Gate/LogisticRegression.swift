import Foundation

/// Binary logistic regression fitted by full-batch gradient descent with momentum, for the
/// input gate's framing score (`LayoutGate`). Deterministic: weights start at zero and every
/// step sees every sample in order.
enum LogisticRegression {
    /// Minimises the mean binary cross-entropy of `σ(w·x + b)` against `targets` plus
    /// `l2 / 2 · ‖(w, b)‖²`.
    /// - Parameters:
    ///   - samples: `[N][d]` feature vectors.
    ///   - targets: `[N]`, each 0 or 1.
    /// - Returns: `[d + 1]`: the weights, then the bias.
    static func fit(_ samples: [[Double]], targets: [Double], iterations: Int = 300, rate: Double = 0.5,
                    momentum: Double = 0.9, l2: Double = 1e-4) -> [Double] {
        precondition(!samples.isEmpty && samples.count == targets.count, "samples and targets needed")
        let d = samples[0].count, n = Double(samples.count)
        var weights = [Double](repeating: 0, count: d + 1), velocity = weights, gradient = weights
        for _ in 0..<iterations {
            for k in gradient.indices { gradient[k] = 0 }
            for (x, y) in zip(samples, targets) {
                var z = weights[d]
                for k in 0..<d { z += weights[k] * x[k] }
                let error = 1 / (1 + exp(-z)) - y
                for k in 0..<d { gradient[k] += error * x[k] }
                gradient[d] += error
            }
            for k in weights.indices {
                velocity[k] = momentum * velocity[k] + gradient[k] / n + l2 * weights[k]
                weights[k] -= rate * velocity[k]
            }
        }
        return weights
    }
}
