import Foundation

extension Conv2D {
    /// Gradients of `forward` given the gradient of its output, in tiles of whole images spread
    /// over the threads as in `forward` (`Plan.run`).
    ///
    /// - Parameters:
    ///   - input: the forward input `[batch, inChannels, height, width]`
    ///   - weight: `[outChannels, inChannels / groups, kH, kW]`
    ///   - outputGradient: `[batch, outChannels, outHeight, outWidth]`
    ///   - inputGradient: `[batch, inChannels, height, width]`, **overwritten** (nil: not computed,
    ///     e.g. for the first layer) — for stride 1 the forward convolution of dY with the flipped
    ///     weights (`transposed`, `flippedWeights`), otherwise `col2im(Wᵀ · dY)` per group
    ///   - weightGradient: same shape as `weight`, **accumulated** (`+=`) — `dY · colᵀ`
    ///   - biasGradient: `[outChannels]`, **accumulated** — `Σ dY` over batch and positions
    package static func backward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                outputGradient: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>?,
                                weightGradient: UnsafeMutablePointer<Float>?,
                                biasGradient: UnsafeMutablePointer<Float>?) {
        backward(g, input: input, weight: weight, outputGradient: outputGradient, inputGradient: inputGradient,
                 weightGradient: weightGradient, biasGradient: biasGradient, chunkBudget: tileBudget(g))
    }

    /// `backward` with an explicit budget (tests use small ones to cover every path).
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
        guard g.batch > 0 else { return }
        // Stride 1: the input gradient is a forward convolution of dY (with forward's fast paths,
        // Winograd included) instead of Wᵀ · dY scattered back by col2im.
        let viaConvolution = inputGradient != nil && transposed(g) != nil
        if let inputGradient, let t = transposed(g) {
            let flipped = flippedWeights(g, weight)
            flipped.withUnsafeBufferPointer {
                forward(t, input: outputGradient, weight: $0.baseAddress!, bias: nil, output: inputGradient,
                        chunkBudget: chunkBudget)
            }
        }
        guard weightGradient != nil || (inputGradient != nil && !viaConvolution) else { return }

        // Tiles of whole images (col2im of neighbouring bands would add into shared input rows).
        let chunk = chunkSize(g, budget: chunkBudget)
        let tiles = stride(from: 0, to: g.batch, by: chunk).map { $0..<min($0 + chunk, g.batch) }
        let counts = (col: chunk == 1 && g.isPointwise ? 0 : k * chunk * plane, product: chunk > 1 ? og * chunk * plane : 0)
        let xs = SendablePointer(UnsafeMutablePointer(mutating: input))
        let ws = SendablePointer(UnsafeMutablePointer(mutating: weight))
        let dys = SendablePointer(UnsafeMutablePointer(mutating: outputGradient))
        let dxs = viaConvolution ? nil : inputGradient.map(SendablePointer.init)
        guard ComputeThreads.current > 1, tiles.count > 1 else {
            let scratch = Scratch(counts)
            for images in tiles {
                backward(g, images, input: input, weight: weight, outputGradient: outputGradient,
                         inputGradient: dxs?.pointer, weightGradient: weightGradient, scratch: scratch, parallel: true)
            }
            return
        }
        // Worker w takes tiles w, w + W, w + 2W, … and runs sgemm on one thread; it sums its
        // weight gradient apart, and the partials are added in worker order after the join, so
        // the result does not depend on which thread finished first (same bits on every run).
        let workers = min(ComputeThreads.current, tiles.count), size = g.weightCount
        let partials: SendablePointer<Float>? = weightGradient == nil ? nil : SendablePointer(.allocate(capacity: workers * size))
        partials?.pointer.initialize(repeating: 0, count: workers * size)
        defer { partials?.pointer.deallocate() }
        ComputeThreads.withSerialBLAS {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let scratch = Scratch(counts)
                for i in stride(from: w, to: tiles.count, by: workers) {
                    backward(g, tiles[i], input: xs.pointer, weight: ws.pointer, outputGradient: dys.pointer,
                             inputGradient: dxs?.pointer, weightGradient: partials.map { $0.pointer + w * size },
                             scratch: scratch, parallel: false)
                }
            }
        }
        if let partials, let weightGradient {
            for w in 0..<workers {
                let partial = partials.pointer + w * size
                for i in 0..<size { weightGradient[i] += partial[i] }
            }
        }
    }

    /// One tile of whole images, every group: `dW += dY · colᵀ`, and for a strided convolution
    /// `dX = col2im(Wᵀ · dY)` (`inputGradient` nil otherwise).
    private static func backward(_ g: Conv2DGeometry, _ images: Range<Int>, input: UnsafePointer<Float>,
                                 weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                 inputGradient: UnsafeMutablePointer<Float>?,
                                 weightGradient: UnsafeMutablePointer<Float>?, scratch: Scratch, parallel: Bool) {
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup, k = g.patchSize, plane = g.outputPlane
        let first = images.lowerBound, columns = images.count * plane
        let dys = SendablePointer(UnsafeMutablePointer(mutating: outputGradient))
        for group in 0..<g.groups {
            // dY of this group as one [og, images · plane] matrix.
            let dy: UnsafePointer<Float>
            if images.count > 1, let gathered = scratch.product {
                let targets = SendablePointer(gathered)
                let minimum = parallel ? max(1, 16384 / max(og * plane, 1)) : images.count
                Parallel.forEachRange(images.count, minimumPerWorker: minimum) { range in
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
            let x = input + (first * g.inChannels + group * cg) * g.inputPlane
            let patches: UnsafePointer<Float>
            if let col = scratch.col {
                pack(g, input: x, images: images.count, into: col, rowStride: columns, parallel: parallel)
                patches = UnsafePointer(col)
            } else {
                patches = x
            }
            if let weightGradient {
                // dW[og, k] += dY[og, columns] · colᵀ[columns, k]
                MatMul.gemm(transposeB: true, m: og, n: k, k: columns, a: dy, lda: columns, b: patches,
                            ldb: columns, beta: 1, c: weightGradient + group * og * k, ldc: k)
            }
            // Strided: dcol[k, columns] = Wᵀ[k, og] · dY[og, columns], scattered back onto each image
            // (a strided convolution is never pointwise-direct, so the patch buffer exists).
            guard let inputGradient, let col = scratch.col else { continue }
            MatMul.gemm(transposeA: true, m: k, n: columns, k: og, a: weight + group * og * k, lda: k, b: dy,
                        ldb: columns, c: col, ldc: columns)
            let cols = SendablePointer(col), dxs = SendablePointer(inputGradient)
            let minimum = parallel ? max(1, 16384 / max(k * plane, 1)) : images.count
            Parallel.forEachRange(images.count, minimumPerWorker: minimum) { range in
                for i in range {
                    let dx = dxs.pointer + ((first + i) * g.inChannels + group * cg) * g.inputPlane
                    dx.update(repeating: 0, count: cg * g.inputPlane)
                    Im2Col.unpackAdding(cols.pointer + i * plane, channels: cg, g, rowStride: columns, into: dx)
                }
            }
        }
    }

    /// For a stride-1, undilated convolution whose padding is below the kernel size, the
    /// geometry whose forward pass maps `dY` to `dX`: `outChannels` → `inChannels`, the same
    /// kernel and groups, padding `kernel − 1 − pad` (so that the output is the input's size).
    /// Nil for any other convolution.
    static func transposed(_ g: Conv2DGeometry) -> Conv2DGeometry? {
        guard g.strideH == 1, g.strideW == 1, g.dilationH == 1, g.dilationW == 1,
              g.padH < g.kernelHeight, g.padW < g.kernelWidth else { return nil }
        return Conv2DGeometry(batch: g.batch, inChannels: g.outChannels, height: g.outHeight, width: g.outWidth,
                              outChannels: g.inChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
                              padH: g.kernelHeight - 1 - g.padH, padW: g.kernelWidth - 1 - g.padW, groups: g.groups)
    }

    /// The weights of `transposed(g)`: `W̃[c, o, a, b] = W[o, c, kH − 1 − a, kW − 1 − b]` within
    /// each group, i.e. `[inChannels, outChannels / groups, kH, kW]`. Then
    /// `dX[c, i, j] = Σ_o Σ_{a,b} dY[o, i − pad' + a, j − pad' + b] · W̃[c, o, a, b]`.
    static func flippedWeights(_ g: Conv2DGeometry, _ weight: UnsafePointer<Float>) -> [Float] {
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup, kh = g.kernelHeight, kw = g.kernelWidth
        var flipped = [Float](repeating: 0, count: g.weightCount)
        for group in 0..<g.groups {
            for o in 0..<og {
                for c in 0..<cg {
                    let src = weight + ((group * og + o) * cg + c) * kh * kw
                    let dst = ((group * cg + c) * og + o) * kh * kw
                    for a in 0..<kh {
                        for b in 0..<kw { flipped[dst + (kh - 1 - a) * kw + (kw - 1 - b)] = src[a * kw + b] }
                    }
                }
            }
        }
        return flipped
    }

    /// The same contract as `backward` in plain loops (Double accumulation): each output
    /// gradient is pushed back through every kernel tap that produced it.
    package static func backwardReference(_ g: Conv2DGeometry, input: UnsafePointer<Float>,
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
