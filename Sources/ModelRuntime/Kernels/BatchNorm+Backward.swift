import Foundation

extension BatchNorm {
    /// Gradients of a training-mode forward pass (batch statistics), with `x̂ = (x − μ) · invStd`
    /// and `m = batch · spatial`:
    /// `dβ += Σ dy`, `dγ += Σ dy · x̂`, `dx = γ · invStd · (dy − mean(dy) − x̂ · mean(dy · x̂))`.
    ///
    /// - Parameters:
    ///   - x: the forward input `[batch, channels, spatial]`
    ///   - outputGradient: `[batch, channels, spatial]`
    ///   - saved: what `training` kept
    ///   - inputGradient: `[batch, channels, spatial]`, overwritten; may be `outputGradient` (in place)
    ///   - gammaGradient, betaGradient: `[channels]`, accumulated (`+=`)
    public static func backward(_ x: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                batch: Int, channels: Int, spatial: Int, gamma: UnsafePointer<Float>,
                                saved: Saved, inputGradient: UnsafeMutablePointer<Float>,
                                gammaGradient: UnsafeMutablePointer<Float>, betaGradient: UnsafeMutablePointer<Float>) {
        let m = batch * spatial
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x))
        let dys = SendablePointer(UnsafeMutablePointer(mutating: outputGradient))
        let dxs = SendablePointer(inputGradient)
        let gs = SendablePointer(UnsafeMutablePointer(mutating: gamma))
        let dg = SendablePointer(gammaGradient), db = SendablePointer(betaGradient)
        let means = saved.mean, inverses = saved.inverseStd
        Parallel.forEachRange(channels, minimumPerWorker: max(1, 16384 / max(m, 1))) { range in
            for c in range {
                let mean = means[c], inverse = inverses[c]
                var sumDy = 0.0, sumDyXhat = 0.0
                for n in 0..<batch {
                    let offset = (n * channels + c) * spatial
                    let src = xs.pointer + offset, dy = dys.pointer + offset
                    for i in 0..<spatial {
                        let d = Double(dy[i])
                        sumDy += d
                        sumDyXhat += d * Double((src[i] - mean) * inverse)
                    }
                }
                dg.pointer[c] += Float(sumDyXhat)
                db.pointer[c] += Float(sumDy)
                let meanDy = Float(sumDy / Double(m)), meanDyXhat = Float(sumDyXhat / Double(m))
                let scale = gs.pointer[c] * inverse
                for n in 0..<batch {
                    let offset = (n * channels + c) * spatial
                    let src = xs.pointer + offset, dy = dys.pointer + offset, dx = dxs.pointer + offset
                    for i in 0..<spatial {
                        let xhat = (src[i] - mean) * inverse
                        dx[i] = scale * (dy[i] - meanDy - xhat * meanDyXhat)
                    }
                }
            }
        }
    }

    /// Gradients of an eval-mode forward pass (running statistics are constants, e.g. when
    /// fine-tuning with frozen batch norm): `dx = dy · γ / √(σ²_run + ε)`, `dβ += Σ dy`,
    /// `dγ += Σ dy · x̂`. `inputGradient` is overwritten and may be `outputGradient`.
    public static func inferenceBackward(_ x: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                         batch: Int, channels: Int, spatial: Int, gamma: UnsafePointer<Float>,
                                         runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
                                         epsilon: Float = 1e-5, inputGradient: UnsafeMutablePointer<Float>,
                                         gammaGradient: UnsafeMutablePointer<Float>,
                                         betaGradient: UnsafeMutablePointer<Float>) {
        for c in 0..<channels {
            let inverse = 1 / (runningVar[c] + epsilon).squareRoot()
            let mean = runningMean[c], scale = gamma[c] * inverse
            var sumDy = 0.0, sumDyXhat = 0.0
            for n in 0..<batch {
                let offset = (n * channels + c) * spatial
                let src = x + offset, dy = outputGradient + offset, dx = inputGradient + offset
                for i in 0..<spatial {
                    let d = dy[i]
                    sumDy += Double(d)
                    sumDyXhat += Double(d) * Double((src[i] - mean) * inverse)
                    dx[i] = d * scale
                }
            }
            gammaGradient[c] += Float(sumDyXhat)
            betaGradient[c] += Float(sumDy)
        }
    }
}
