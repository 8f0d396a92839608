extension Conv2D {
    /// Gradients of `forward` given the gradient of its output, chunked like `forward`.
    ///
    /// - Parameters:
    ///   - input: the forward input `[batch, inChannels, height, width]`
    ///   - weight: `[outChannels, inChannels / groups, kH, kW]`
    ///   - outputGradient: `[batch, outChannels, outHeight, outWidth]`
    ///   - inputGradient: `[batch, inChannels, height, width]`, **overwritten** (nil: not computed,
    ///     e.g. for the first layer) — `col2im(Wᵀ · dY)` per group
    ///   - weightGradient: same shape as `weight`, **accumulated** (`+=`) — `dY · colᵀ`
    ///   - biasGradient: `[outChannels]`, **accumulated** — `Σ dY` over batch and positions
    public static func backward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                outputGradient: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>?,
                                weightGradient: UnsafeMutablePointer<Float>?,
                                biasGradient: UnsafeMutablePointer<Float>?) {
        backward(g, input: input, weight: weight, outputGradient: outputGradient, inputGradient: inputGradient,
                 weightGradient: weightGradient, biasGradient: biasGradient, chunkBudget: defaultChunkBudget)
    }

    /// `backward` with an explicit chunk budget (tests use small ones to cover every path).
    static func backward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
                         weightGradient: UnsafeMutablePointer<Float>?, biasGradient: UnsafeMutablePointer<Float>?,
                         chunkBudget: Int) {
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup, k = g.patchSize, plane = g.outputPlane
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

        let chunk = chunkSize(g, budget: chunkBudget)
        let direct = chunk == 1 && g.isPointwise
        let col: UnsafeMutablePointer<Float>? = direct ? nil : .allocate(capacity: k * chunk * plane)
        let gathered: UnsafeMutablePointer<Float>? = chunk > 1 ? .allocate(capacity: og * chunk * plane) : nil
        defer {
            col?.deallocate()
            gathered?.deallocate()
        }
        let dys = SendablePointer(UnsafeMutablePointer(mutating: outputGradient))
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = min(chunk, g.batch - first), columns = images * plane
            for group in 0..<g.groups {
                // dY of this group as one [og, images · plane] matrix.
                let dy: UnsafePointer<Float>
                if let gathered {
                    let targets = SendablePointer(gathered)
                    Parallel.forEachRange(images, minimumPerWorker: max(1, 16384 / max(og * plane, 1))) { range in
                        for i in range {
                            for o in 0..<og {
                                let src = dys.pointer + ((first + i) * g.outChannels + group * og + o) * plane
                                (targets.pointer + o * columns + i * plane).update(from: src, count: plane)
                            }
                        }
                    }
                    dy = UnsafePointer(gathered)
                } else {
                    dy = outputGradient + (first * g.outChannels + group * og) * plane
                }
                let wg = weight + group * og * k
                if let weightGradient {
                    let patches: UnsafePointer<Float>
                    if let col {
                        pack(g, input: input, images: first..<(first + images), group: group, into: col,
                             rowStride: columns)
                        patches = UnsafePointer(col)
                    } else {
                        patches = input + (first * g.inChannels + group * cg) * g.inputPlane
                    }
                    // dW[og, k] += dY[og, columns] · colᵀ[columns, k]
                    MatMul.gemm(transposeB: true, m: og, n: k, k: columns, a: dy, lda: columns, b: patches,
                                ldb: columns, beta: 1, c: weightGradient + group * og * k, ldc: k)
                }
                guard let inputGradient else { continue }
                guard let col else {
                    // Pointwise, one image: dX = Wᵀ · dY straight into the input gradient.
                    MatMul.gemm(transposeA: true, m: k, n: plane, k: og, a: wg, lda: k, b: dy, ldb: plane,
                                c: inputGradient + (first * g.inChannels + group * cg) * g.inputPlane, ldc: plane)
                    continue
                }
                // dcol[k, columns] = Wᵀ[k, og] · dY[og, columns], scattered back onto each image.
                MatMul.gemm(transposeA: true, m: k, n: columns, k: og, a: wg, lda: k, b: dy, ldb: columns,
                            c: col, ldc: columns)
                let cols = SendablePointer(col), dxs = SendablePointer(inputGradient)
                Parallel.forEachRange(images, minimumPerWorker: max(1, 16384 / max(k * plane, 1))) { range in
                    for i in range {
                        let dx = dxs.pointer + ((first + i) * g.inChannels + group * cg) * g.inputPlane
                        dx.update(repeating: 0, count: cg * g.inputPlane)
                        Im2Col.unpackAdding(cols.pointer + i * plane, channels: cg, g, rowStride: columns, into: dx)
                    }
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
