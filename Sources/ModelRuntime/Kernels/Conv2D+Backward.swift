import Foundation

extension Conv2D {
    /// Gradients of `forward` given the gradient of its output.
    ///
    /// - Parameters:
    ///   - input: the forward input `[batch, inChannels, height, width]`
    ///   - weight: `[outChannels, inChannels / groups, kH, kW]`
    ///   - outputGradient: `[batch, outChannels, outHeight, outWidth]`
    ///   - inputGradient: `[batch, inChannels, height, width]`, **overwritten** (nil: not computed,
    ///     e.g. for the first layer) — `col2im(Wᵀ · dY)` per group
    ///   - weightGradient: same shape as `weight`, **accumulated** (`+=`) — `Σₙ dY · colᵀ`
    ///   - biasGradient: `[outChannels]`, **accumulated** — `Σ dY` over batch and positions
    public static func backward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                outputGradient: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>?,
                                weightGradient: UnsafeMutablePointer<Float>?,
                                biasGradient: UnsafeMutablePointer<Float>?) {
        let plane = g.outputPlane
        if let biasGradient {
            for n in 0..<g.batch {
                for o in 0..<g.outChannels {
                    let dy = outputGradient + (n * g.outChannels + o) * plane
                    var sum: Float = 0
                    for i in 0..<plane { sum += dy[i] }
                    biasGradient[o] += sum
                }
            }
        }
        guard inputGradient != nil || weightGradient != nil, g.batch > 0 else { return }

        let workers = max(1, min(ComputeThreads.current, g.batch))
        // Worker 0 accumulates into weightGradient itself, the others into their own partial sums.
        let partials: UnsafeMutablePointer<Float>? = weightGradient != nil && workers > 1
            ? .allocate(capacity: (workers - 1) * g.weightCount) : nil
        defer { partials?.deallocate() }
        partials?.initialize(repeating: 0, count: (workers - 1) * g.weightCount)

        let x = SendablePointer(UnsafeMutablePointer(mutating: input))
        let w = SendablePointer(UnsafeMutablePointer(mutating: weight))
        let dy = SendablePointer(UnsafeMutablePointer(mutating: outputGradient))
        let dx = inputGradient.map(SendablePointer.init)
        let dw = weightGradient.map(SendablePointer.init)
        let partial = partials.map(SendablePointer.init)
        let run: @Sendable (Int) -> Void = { worker in
            let target = worker == 0 ? dw?.pointer : partial.map { $0.pointer + (worker - 1) * g.weightCount }
            let col = g.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * plane)
            defer { col?.deallocate() }
            for n in (worker * g.batch / workers)..<((worker + 1) * g.batch / workers) {
                backwardImage(g, input: x.pointer + n * g.inChannels * g.inputPlane, weight: w.pointer,
                              outputGradient: dy.pointer + n * g.outChannels * plane,
                              inputGradient: dx.map { $0.pointer + n * g.inChannels * g.inputPlane },
                              weightGradient: target, col: col)
            }
        }
        if workers == 1 {
            run(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: run)
        }
        if let weightGradient, let partials {
            for p in 0..<(workers - 1) {
                let src = partials + p * g.weightCount
                for i in 0..<g.weightCount { weightGradient[i] += src[i] }
            }
        }
    }

    /// One image's input gradient (overwritten) and weight-gradient contribution (accumulated).
    static func backwardImage(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
                              weightGradient: UnsafeMutablePointer<Float>?, col: UnsafeMutablePointer<Float>?) {
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup, k = g.patchSize, plane = g.outputPlane
        if let inputGradient, col != nil {
            inputGradient.update(repeating: 0, count: g.inChannels * g.inputPlane)
        }
        for group in 0..<g.groups {
            let x = input + group * cg * g.inputPlane
            let dy = outputGradient + group * og * plane
            let wg = weight + group * og * k
            if let weightGradient {
                let patches: UnsafePointer<Float>
                if let col {
                    Im2Col.pack(x, channels: cg, g, into: col)
                    patches = UnsafePointer(col)
                } else {
                    patches = x
                }
                // dW[og, k] += dY[og, plane] · colᵀ[plane, k]
                MatMul.gemm(transposeB: true, m: og, n: k, k: plane, a: dy, lda: plane, b: patches, ldb: plane,
                            beta: 1, c: weightGradient + group * og * k, ldc: k)
            }
            if let inputGradient {
                let dx = inputGradient + group * cg * g.inputPlane
                if let col {
                    // dcol[k, plane] = Wᵀ[k, og] · dY[og, plane], then scattered back onto the input.
                    MatMul.gemm(transposeA: true, m: k, n: plane, k: og, a: wg, lda: k, b: dy, ldb: plane,
                                c: col, ldc: plane)
                    Im2Col.unpackAdding(col, channels: cg, g, into: dx)
                } else {
                    MatMul.gemm(transposeA: true, m: k, n: plane, k: og, a: wg, lda: k, b: dy, ldb: plane,
                                c: dx, ldc: plane)
                }
            }
        }
    }

    /// The same contract as `backward` in plain loops (Double accumulation): each output
    /// gradient is pushed back through every kernel tap that produced it.
    public static func backwardReference(_ g: Conv2DGeometry, input: UnsafePointer<Float>,
                                         weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                         inputGradient: UnsafeMutablePointer<Float>?,
                                         weightGradient: UnsafeMutablePointer<Float>?,
                                         biasGradient: UnsafeMutablePointer<Float>?) {
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup
        var dx = [Double](repeating: 0, count: g.inputCount)
        var dw = [Double](repeating: 0, count: g.weightCount)
        var db = [Double](repeating: 0, count: g.outChannels)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                let group = o / og
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        let d = Double(outputGradient[((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow])
                        db[o] += d
                        for c in 0..<cg {
                            let ci = group * cg + c
                            for kh in 0..<g.kernelHeight {
                                let ih = oh * g.strideH - g.padH + kh * g.dilationH
                                guard ih >= 0 && ih < g.height else { continue }
                                for kw in 0..<g.kernelWidth {
                                    let iw = ow * g.strideW - g.padW + kw * g.dilationW
                                    guard iw >= 0 && iw < g.width else { continue }
                                    let xi = ((n * g.inChannels + ci) * g.height + ih) * g.width + iw
                                    let wi = ((o * cg + c) * g.kernelHeight + kh) * g.kernelWidth + kw
                                    dx[xi] += d * Double(weight[wi])
                                    dw[wi] += d * Double(input[xi])
                                }
                            }
                        }
                    }
                }
            }
        }
        if let inputGradient { for i in 0..<dx.count { inputGradient[i] = Float(dx[i]) } }
        if let weightGradient { for i in 0..<dw.count { weightGradient[i] += Float(dw[i]) } }
        if let biasGradient { for i in 0..<db.count { biasGradient[i] += Float(db[i]) } }
    }
}
