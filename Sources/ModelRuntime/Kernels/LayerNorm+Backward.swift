extension LayerNormKernel {
    /// Gradients of `apply`, from the forward *input* `x` (before normalization; the row
    /// statistics are recomputed, in Double as in `apply`). With `x̂ = (x − mean) · r`,
    /// `r = 1 / sqrt(var + eps)` and `g = dy · γ`:
    /// `dx = r · (g − mean(g) − x̂ · mean(g · x̂))` (overwritten), `dγ += Σ_rows dy · x̂`,
    /// `dβ += Σ_rows dy` (accumulated).
    ///
    /// - Parameters:
    ///   - x: `[rows, width]`, the input of the forward pass
    ///   - outputGradient: `[rows, width]`
    ///   - inputGradient: `[rows, width]`, overwritten; may be `outputGradient` (in place)
    ///   - gammaGradient, betaGradient: `[width]` or nil
    package static func backward(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, rows: Int,
                                width: Int, gamma: UnsafePointer<Float>, epsilon: Float,
                                inputGradient dx: UnsafeMutablePointer<Float>,
                                gammaGradient: UnsafeMutablePointer<Float>?, betaGradient: UnsafeMutablePointer<Float>?) {
        for r in 0..<rows {
            let row = x + r * width, dyRow = dy + r * width, dxRow = dx + r * width
            var sum = 0.0
            for i in 0..<width { sum += Double(row[i]) }
            let mean = sum / Double(width)
            var squares = 0.0
            for i in 0..<width {
                let d = Double(row[i]) - mean
                squares += d * d
            }
            let inverse = Float(1 / (squares / Double(width) + Double(epsilon)).squareRoot())
            let m = Float(mean)
            var gSum: Float = 0, gxSum: Float = 0
            for i in 0..<width {
                let normalized = (row[i] - m) * inverse
                let g = dyRow[i] * gamma[i]
                gSum += g
                gxSum += g * normalized
                gammaGradient?[i] += dyRow[i] * normalized
                betaGradient?[i] += dyRow[i]
            }
            let gMean = gSum / Float(width), gxMean = gxSum / Float(width)
            for i in 0..<width {
                let normalized = (row[i] - m) * inverse
                dxRow[i] = inverse * (dyRow[i] * gamma[i] - gMean - normalized * gxMean)
            }
        }
    }
}
