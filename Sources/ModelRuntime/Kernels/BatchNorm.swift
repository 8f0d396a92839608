import Foundation

/// Batch normalization over the channels of NCHW activations, PyTorch's `nn.BatchNorm2d`:
/// `y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c`.
///
/// All functions take `x` as `[batch, channels, spatial]` (`spatial = height · width`; 1 for
/// `BatchNorm1d` on `[batch, channels]`). Statistics accumulate in Double (`BatchNormPlanes`).
package enum BatchNorm {
    /// What a training-mode forward pass keeps for `backward`: per channel, the batch mean and
    /// `1 / √(biased batch variance + ε)`.
    package struct Saved: Sendable {
        package var mean: [Float]
        var inverseStd: [Float]
        package init(channels: Int) {
            mean = [Float](repeating: 0, count: channels)
            inverseStd = [Float](repeating: 0, count: channels)
        }
    }

    /// Eval mode: normalises with the running statistics. `y` may be `x` (in place).
    package static func inference(_ x: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                                 gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                 runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
                                 epsilon: Float = 1e-5, into y: UnsafeMutablePointer<Float>) {
        for n in 0..<batch {
            for c in 0..<channels {
                let scale = gamma[c] / (runningVar[c] + epsilon).squareRoot()
                let shift = beta[c] - runningMean[c] * scale
                let offset = (n * channels + c) * spatial
                let src = x + offset, dst = y + offset
                for i in 0..<spatial { dst[i] = src[i] * scale + shift }
            }
        }
    }

    /// Training mode: normalises with the batch statistics (biased variance, as PyTorch), then
    /// updates the running statistics with `momentum` using the unbiased variance
    /// (`running = (1 − momentum) · running + momentum · batchStat`). With `relu`, the ReLU that
    /// follows is applied in the same pass (`y = max(bn(x), 0)`). `y` may be `x`.
    ///
    /// - Precondition: more than one value per channel (`batch · spatial > 1`), as PyTorch requires.
    package static func training(_ x: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                                gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>,
                                momentum: Float = 0.1, epsilon: Float = 1e-5, relu: Bool = false,
                                into y: UnsafeMutablePointer<Float>, saved: inout Saved) {
        let m = batch * spatial
        precondition(m > 1, "batch norm in training mode needs more than one value per channel, got \(m)")
        precondition(saved.mean.count == channels && saved.inverseStd.count == channels, "batch norm saved state size")
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x)), ys = SendablePointer(y)
        let gs = SendablePointer(UnsafeMutablePointer(mutating: gamma))
        let bs = SendablePointer(UnsafeMutablePointer(mutating: beta))
        let rm = SendablePointer(runningMean), rv = SendablePointer(runningVar)
        saved.mean.withUnsafeMutableBufferPointer { meanBuffer in
            saved.inverseStd.withUnsafeMutableBufferPointer { invBuffer in
                let means = SendablePointer(meanBuffer.baseAddress!), invs = SendablePointer(invBuffer.baseAddress!)
                Parallel.forEachRange(channels, minimumPerWorker: max(1, 16384 / m)) { range in
                    for c in range {
                        var sum = 0.0
                        for n in 0..<batch { sum += BatchNormPlanes.sum(xs.pointer + (n * channels + c) * spatial, count: spatial) }
                        let mean = sum / Double(m)
                        var squares = 0.0
                        for n in 0..<batch {
                            squares += BatchNormPlanes.centeredSquares(xs.pointer + (n * channels + c) * spatial,
                                                                 count: spatial, mean: Float(mean))
                        }
                        let variance = squares / Double(m)
                        let inverse = 1 / (variance + Double(epsilon)).squareRoot()
                        means.pointer[c] = Float(mean)
                        invs.pointer[c] = Float(inverse)
                        let scale = Float(inverse) * gs.pointer[c]
                        let shift = bs.pointer[c] - Float(mean) * scale
                        for n in 0..<batch {
                            let offset = (n * channels + c) * spatial
                            let src = xs.pointer + offset, dst = ys.pointer + offset
                            if relu {
                                for i in 0..<spatial { dst[i] = Activation.relu(src[i] * scale + shift) }
                            } else {
                                for i in 0..<spatial { dst[i] = src[i] * scale + shift }
                            }
                        }
                        rm.pointer[c] = (1 - momentum) * rm.pointer[c] + momentum * Float(mean)
                        rv.pointer[c] = (1 - momentum) * rv.pointer[c]
                            + momentum * Float(squares / Double(m - 1))
                    }
                }
            }
        }
    }

    /// Folds an eval-mode batch norm into the convolution (or linear layer) before it:
    /// `W'[o] = W[o] · s_o`, `b'_o = (b_o − μ_o) · s_o + β_o` with `s_o = γ_o / √(σ²_o + ε)`.
    ///
    /// - Parameters:
    ///   - weight: `[outChannels, ...]` (any trailing shape)
    ///   - bias: `[outChannels]`, or nil when the convolution has none (torchvision's)
    /// - Returns: the folded weight (same shape) and bias `[outChannels]`.
    package static func fold(weight: Tensor, bias: Tensor?, gamma: Tensor, beta: Tensor,
                            runningMean: Tensor, runningVar: Tensor, epsilon: Float = 1e-5)
        -> (weight: Tensor, bias: Tensor) {
        let channels = weight.shape[0]
        precondition(gamma.shape == [channels] && beta.shape == [channels] && runningMean.shape == [channels]
                     && runningVar.shape == [channels] && (bias == nil || bias!.shape == [channels]),
                     "batch norm fold: parameters do not have \(channels) channels")
        let perChannel = weight.count / max(channels, 1)
        let g = gamma.scalars, b = beta.scalars, mean = runningMean.scalars, variance = runningVar.scalars
        let oldBias = bias?.scalars ?? [Float](repeating: 0, count: channels)
        let scale = (0..<channels).map { g[$0] / (variance[$0] + epsilon).squareRoot() }
        let folded = Tensor(shape: weight.shape) { out in
            weight.withUnsafeBufferPointer { w in
                for o in 0..<channels {
                    for i in 0..<perChannel { out[o * perChannel + i] = w[o * perChannel + i] * scale[o] }
                }
            }
        }
        let foldedBias = Tensor(shape: [channels], values: (0..<channels).map { (oldBias[$0] - mean[$0]) * scale[$0] + b[$0] })
        return (folded, foldedBias)
    }
}
