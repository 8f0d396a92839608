import Foundation

/// Softmax cross-entropy on logits, PyTorch's `F.cross_entropy(logits, labels, weight=w)` with
/// mean reduction: `L = Σᵢ w[yᵢ] · (−log softmax(zᵢ)[yᵢ]) / Σᵢ w[yᵢ]` (w ≡ 1 without class weights).
public enum CrossEntropyLoss {
    /// The loss and, when `gradient` is given, `∂L/∂z = w[yᵢ] · (softmax(zᵢ) − onehot(yᵢ)) / Σ w[yᵢ]`.
    ///
    /// - Parameters:
    ///   - logits: `[rows, classes]`
    ///   - labels: `rows` class indices in `0..<classes`
    ///   - classWeights: `classes` non-negative weights, or nil
    ///   - gradient: `[rows, classes]`, overwritten; may be `logits` (in place)
    /// - Returns: the mean loss (0 for no rows), accumulated in Double.
    @discardableResult
    public static func softmax(logits: UnsafePointer<Float>, labels: [Int], classes: Int,
                               classWeights: [Float]? = nil, gradient: UnsafeMutablePointer<Float>?) -> Float {
        let rows = labels.count
        precondition(classWeights == nil || classWeights!.count == classes, "cross-entropy: \(classes) class weights expected")
        var total = 0.0, weightSum = 0.0
        for (r, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "cross-entropy: label \(label) outside 0..<\(classes)")
            let z = logits + r * classes
            var maximum = -Float.infinity
            for j in 0..<classes { maximum = max(maximum, z[j]) }
            var sum = 0.0
            for j in 0..<classes { sum += exp(Double(z[j] - maximum)) }
            let logSum = log(sum) + Double(maximum)
            let w = Double(classWeights?[label] ?? 1)
            total += w * (logSum - Double(z[label]))
            weightSum += w
        }
        guard rows > 0 else { return 0 }
        if let gradient {
            let scale = weightSum > 0 ? 1 / weightSum : 0
            for (r, label) in labels.enumerated() {
                let z = logits + r * classes, g = gradient + r * classes
                var maximum = -Float.infinity
                for j in 0..<classes { maximum = max(maximum, z[j]) }
                var sum = 0.0
                for j in 0..<classes { sum += exp(Double(z[j] - maximum)) }
                let w = Double(classWeights?[label] ?? 1) * scale
                for j in 0..<classes {
                    let p = exp(Double(z[j] - maximum)) / sum
                    g[j] = Float(w * (p - (j == label ? 1 : 0)))
                }
            }
        }
        return Float(total / weightSum)
    }

    /// The tensor form: `logits` is `[rows, classes]`.
    ///
    /// - Returns: the mean loss and its gradient `[rows, classes]`.
    public static func softmax(logits: Tensor, labels: [Int], classWeights: [Float]? = nil)
        -> (loss: Float, gradient: Tensor) {
        precondition(logits.shape.count == 2 && logits.shape[0] == labels.count, "cross-entropy: logits \(logits.shape)")
        var loss: Float = 0
        let gradient = Tensor(shape: logits.shape) { g in
            logits.withUnsafeBufferPointer { z in
                loss = softmax(logits: z.baseAddress!, labels: labels, classes: logits.shape[1],
                               classWeights: classWeights, gradient: g.baseAddress!)
            }
        }
        return (loss, gradient)
    }
}
