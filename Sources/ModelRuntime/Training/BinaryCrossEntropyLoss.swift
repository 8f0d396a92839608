import Foundation

/// Binary cross-entropy on logits, PyTorch's
/// `F.binary_cross_entropy_with_logits(z, y, weight=w, pos_weight=p)` with mean reduction:
/// `L = mean over all elements of −w · [p · y · log σ(z) + (1 − y) · log(1 − σ(z))]`,
/// evaluated stably as `w · [(1 − y) · z + (1 + (p − 1) · y) · softplus(−z)]`.
///
/// Note that, as in PyTorch, the mean divides by the number of elements, not by the sum of
/// the weights (unlike `CrossEntropyLoss` with class weights).
package enum BinaryCrossEntropyLoss {
    /// The loss and, when `gradient` is given, `∂L/∂z = w · (σ(z) · (1 + (p − 1) · y) − p · y) / count`.
    ///
    /// - Parameters:
    ///   - logits: `[rows, classes]` (`classes` = 1 for a single binary output)
    ///   - targets: `[rows, classes]`, in `[0, 1]`
    ///   - weights: `[rows, classes]` per-element weights (PyTorch's `weight` broadcast out), or nil;
    ///     `classBalancedWeights` makes them from per-class weights
    ///   - positiveWeight: `[classes]`, the weight of positive targets per class (`pos_weight`), or nil
    ///   - gradient: `[rows, classes]`, overwritten; may be `logits`
    /// - Returns: the mean loss, accumulated in Double.
    @discardableResult
    package static func withLogits(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int, classes: Int,
                                  weights: UnsafePointer<Float>? = nil, positiveWeight: UnsafePointer<Float>? = nil,
                                  gradient: UnsafeMutablePointer<Float>?) -> Float {
        let count = rows * classes
        guard count > 0 else { return 0 }
        let inverseCount = 1 / Double(count)
        var total = 0.0
        for r in 0..<rows {
            for c in 0..<classes {
                let i = r * classes + c
                let z = Double(logits[i]), y = Double(targets[i])
                let w = Double(weights?[i] ?? 1), p = Double(positiveWeight?[c] ?? 1)
                let logWeight = 1 + (p - 1) * y
                // softplus(−z) = log(1 + e^(−z)) = max(−z, 0) + log1p(e^(−|z|))
                let softplusNegative = max(-z, 0) + log1p(exp(-abs(z)))
                total += w * ((1 - y) * z + logWeight * softplusNegative)
                if let gradient {
                    let s = 1 / (1 + exp(-z))
                    gradient[i] = Float(w * (s * logWeight - p * y) * inverseCount)
                }
            }
        }
        return Float(total * inverseCount)
    }

    /// Per-element weights from per-class weights for hard 0/1 targets: `negative` where the
    /// target is below 0.5, `positive` elsewhere (e.g. inverse class frequencies).
    package static func classBalancedWeights(targets: [Float], negative: Float, positive: Float) -> [Float] {
        targets.map { $0 < 0.5 ? negative : positive }
    }
}
