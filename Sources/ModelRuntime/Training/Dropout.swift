/// Inverted dropout, as `torch.nn.functional.dropout` in training mode: each element is zeroed
/// with probability `p` and the others are scaled by `1 / (1 − p)`, so expectations are
/// unchanged and evaluation needs no rescaling. The backward pass multiplies by the same mask.
package enum Dropout {
    /// `count` factors, each 0 (with probability `p`) or `1 / (1 − p)`; empty when `p` is 0.
    ///
    /// - Precondition: `p` in `0..<1`.
    package static func mask(count: Int, probability p: Float, using generator: inout some RandomNumberGenerator) -> [Float] {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside 0..<1")
        guard p > 0 else { return [] }
        let keep = 1 / (1 - p), threshold = Double(p)
        return (0..<count).map { _ in WeightInit.unit(&generator) < threshold ? 0 : keep }
    }

    /// `x[i] *= mask[i]` for every element of `mask` (nothing when the mask is empty).
    package static func apply(_ mask: [Float], to x: UnsafeMutablePointer<Float>) {
        for i in mask.indices { x[i] *= mask[i] }
    }
}
