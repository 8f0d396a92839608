import Foundation

extension BatchNorm {
    /// Gradients of a training-mode forward pass (batch statistics), with `x̂ = (x − μ) · invStd`
    /// and `m = batch · spatial`:
    /// `dβ += Σ dy`, `dγ += Σ dy · x̂`, `dx = γ · invStd · (dy − mean(dy) − x̂ · mean(dy · x̂))`.
    ///
    /// - Parameters:
    ///   - x: the forward input `[batch, channels, spatial]`
    ///   - outputGradient: `[batch, channels, spatial]`
    ///   - reluOutput: for a forward pass with `relu`, its output `y`: the ReLU's backward
    ///     (`dy = y > 0 ? dy : 0`) is applied first, in the same passes; nil without ReLU
    ///   - saved: what `training` kept
    ///   - inputGradient: `[batch, channels, spatial]`, overwritten; may be `outputGradient` (in place)
    ///   - gammaGradient, betaGradient: `[channels]`, accumulated (`+=`)
    package static func backward(_ x: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                reluOutput: UnsafePointer<Float>? = nil,
                                batch: Int, channels: Int, spatial: Int, gamma: UnsafePointer<Float>,
                                saved: Saved, inputGradient: UnsafeMutablePointer<Float>,
                                gammaGradient: UnsafeMutablePointer<Float>, betaGradient: UnsafeMutablePointer<Float>) {
        let m = batch * spatial
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x))
        let dys = SendablePointer(UnsafeMutablePointer(mutating: outputGradient))
        let masks = reluOutput.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
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
                    let (a, b) = BatchNormPlanes.gradientSums(dys.pointer + offset, xs.pointer + offset,
                                                        mask: masks.map { UnsafePointer($0.pointer + offset) },
                                                        count: spatial, mean: mean, inverse: inverse)
                    sumDy += a
                    sumDyXhat += b
                }
                dg.pointer[c] += Float(sumDyXhat)
                db.pointer[c] += Float(sumDy)
                let meanDy = Float(sumDy / Double(m)), meanDyXhat = Float(sumDyXhat / Double(m))
                let scale = gs.pointer[c] * inverse
                for n in 0..<batch {
                    let offset = (n * channels + c) * spatial
                    BatchNormPlanes.inputGradient(dxs.pointer + offset, dys.pointer + offset, xs.pointer + offset,
                                                  mask: masks.map { UnsafePointer($0.pointer + offset) },
                                                  count: spatial, mean: mean, inverse: inverse, scale: scale,
                                                  meanDy: meanDy, meanDyXhat: meanDyXhat)
                }
            }
        }
    }

    /// Gradients of an eval-mode forward pass (running statistics are constants, e.g. when
    /// fine-tuning with frozen batch norm): `dx = dy · γ / √(σ²_run + ε)`, `dβ += Σ dy`,
    /// `dγ += Σ dy · x̂`. `inputGradient` is overwritten and may be `outputGradient`.
    package static func inferenceBackward(_ x: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
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
