/// 2-D convolution (cross-correlation, as PyTorch's `F.conv2d`) in NCHW layout: the fast path
/// and a plain-loop reference it is tested against. Shapes: see `Conv2DGeometry`.
///
/// The fast path: 3×3 stride-1 convolutions with enough channels go through Winograd's
/// F(2×2, 3×3) (`Conv2D+Winograd.swift`); the others through im2col + one sgemm per group and
/// tile (`Plan`, `Conv2D+Plan.swift`) of a patch matrix kept under a budget of floats: images
/// whose patch matrix is small are packed side by side (`[patchSize, images · outPlane]`, the
/// product then copied to NCHW), a large image is cut into bands of output rows whose products
/// go straight into its output planes. Bias and ReLU are applied to each tile while it is still
/// in cache. Threads: tiles spread over workers, or one tile cut over them (`Plan.run`); sgemm
/// itself always runs on one thread inside a convolution.
package enum Conv2D {
    /// `output = conv2d(input, weight) + bias`, then `max(output, 0)` when `relu`.
    ///
    /// - Parameters:
    ///   - input: `[batch, inChannels, height, width]`
    ///   - weight: `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`
    ///   - bias: `[outChannels]` or nil
    ///   - filter: the weights' Winograd transform, made once for a layer that is run many times
    ///     (`WinogradFilter`); otherwise made here when the Winograd path applies
    ///   - output: `[batch, outChannels, outHeight, outWidth]`, overwritten; must not overlap the input.
    package static func forward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, relu: Bool = false, filter: WinogradFilter? = nil,
                               output: UnsafeMutablePointer<Float>) {
        forward(g, input: input, weight: weight, bias: bias, relu: relu, filter: filter, output: output,
                chunkBudget: tileBudget(g))
    }

    /// `forward` with an explicit budget (tests use small ones to cover every path) and, for
    /// tests, the choice of path: Winograd wherever it applies (true), never (false), or where
    /// it pays (nil, `Winograd.pays`).
    static func forward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, relu: Bool = false, filter: WinogradFilter? = nil,
                        output: UnsafeMutablePointer<Float>, chunkBudget: Int, winograd: Bool? = nil) {
        guard g.batch > 0 else { return }
        let bs = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        let xs = SendablePointer(UnsafeMutablePointer(mutating: input)), ys = SendablePointer(output)
        if winograd.map({ $0 && Winograd.applies(g) }) ?? Winograd.pays(g) {
            let u = filter?.values ?? Winograd.filter(g, weight)
            precondition(u.count == 16 * g.outChannels * g.inChannels, "Winograd filter of another layer")
            u.withUnsafeBufferPointer { u in
                let us = SendablePointer(UnsafeMutablePointer(mutating: u.baseAddress!))
                Winograd.plan(g, budget: chunkBudget).run { tile, scratch, parallel in
                    Winograd.forward(g, tile, input: xs.pointer, filter: us.pointer, bias: bs?.pointer, relu: relu,
                                     output: ys.pointer, scratch: scratch, parallel: parallel)
                }
            }
            return
        }
        let plan = Plan(g, budget: chunkBudget)
        let ws = SendablePointer(UnsafeMutablePointer(mutating: weight))
        plan.run { tile, scratch, parallel in
            for group in 0..<g.groups {
                forward(g, tile, group: group, input: xs.pointer, weight: ws.pointer, bias: bs?.pointer, relu: relu,
                        output: ys.pointer, scratch: scratch, parallel: parallel)
            }
        }
    }

    /// One tile of one group: pack, sgemm, bias and ReLU. With `parallel` (and enough work), the
    /// packing is spread over the workers, then each worker multiplies a block of the output
    /// channels and finishes them (sgemm on one thread each).
    private static func forward(_ g: Conv2DGeometry, _ tile: Plan.Tile, group: Int, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                                output: UnsafeMutablePointer<Float>, scratch: Scratch, parallel split: Bool) {
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup, k = g.patchSize, plane = g.outputPlane
        let x = input + (tile.first * g.inChannels + group * cg) * g.inputPlane
        let ys = SendablePointer(output + (tile.first * g.outChannels + group * og) * plane)
        let ws = SendablePointer(UnsafeMutablePointer(mutating: weight + group * og * k))
        let bs = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0 + group * og)) }
        let sideBySide = tile.images > 1
        // The patch matrix [k, columns]: the tile's images side by side, or one image's band
        // (the input itself for a direct pointwise convolution, rows `plane` apart).
        let columns = sideBySide ? tile.images * plane : tile.rows.count * g.outWidth
        let offset = sideBySide ? 0 : tile.rows.lowerBound * g.outWidth
        let parallel = split && og * columns * k >= minimumSplitWork
        if let col = scratch.col {
            if sideBySide {
                pack(g, input: x, images: tile.images, into: col, rowStride: columns, parallel: parallel)
            } else {
                packBand(g, x, rows: tile.rows, into: col, parallel: parallel)
            }
        }
        let patches = SendablePointer(scratch.col ?? UnsafeMutablePointer(mutating: x + offset))
        let ldb = scratch.col == nil ? plane : columns
        let products = scratch.product.map(SendablePointer.init)
        // Blocks of output channels, one per worker.
        let minimum = parallel ? max(1, og / ComputeThreads.current) : og
        Parallel.forEachRange(og, minimumPerWorker: minimum) { channels in
            let first = channels.lowerBound, m = channels.count
            guard sideBySide, let products else {
                // Straight into the image's output planes (rows `plane` apart).
                let out = ys.pointer + first * plane + offset
                if let bs { for o in 0..<m { (out + o * plane).update(repeating: bs.pointer[first + o], count: columns) } }
                MatMul.gemm(m: m, n: columns, k: k, a: ws.pointer + first * k, lda: k, b: patches.pointer, ldb: ldb,
                            beta: bs == nil ? 0 : 1, c: out, ldc: plane)
                if relu { for o in 0..<m { Activation.reluSequential(out + o * plane, count: columns) } }
                return
            }
            MatMul.gemm(m: m, n: columns, k: k, a: ws.pointer + first * k, lda: k, b: patches.pointer, ldb: columns,
                        c: products.pointer + first * columns, ldc: columns)
            // [m, images · plane] → each image's [m, plane] block of NCHW, adding the bias.
            for o in channels {
                let b = bs?.pointer[o] ?? 0
                for i in 0..<tile.images {
                    let src = products.pointer + o * columns + i * plane
                    let dst = ys.pointer + (i * g.outChannels + o) * plane
                    if relu {
                        for p in 0..<plane { dst[p] = Activation.relu(src[p] + b) }
                    } else {
                        for p in 0..<plane { dst[p] = src[p] + b }
                    }
                }
            }
        }
    }

    /// Packs output rows `rows` of one image's group (`x` at the group's first channel) as a
    /// `[patchSize, rows.count · outWidth]` matrix, channels spread over the workers when `parallel`.
    static func packBand(_ g: Conv2DGeometry, _ x: UnsafePointer<Float>, rows: Range<Int>,
                         into col: UnsafeMutablePointer<Float>, parallel: Bool) {
        let width = rows.count * g.outWidth, taps = g.kernelHeight * g.kernelWidth
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x)), cols = SendablePointer(col)
        let minimum = parallel ? max(1, 16384 / max(taps * width, 1)) : g.inChannelsPerGroup
        Parallel.forEachRange(g.inChannelsPerGroup, minimumPerWorker: minimum) { range in
            Im2Col.pack(xs.pointer + range.lowerBound * g.inputPlane, channels: range.count, g, outputRows: rows,
                        into: cols.pointer + range.lowerBound * taps * width, rowStride: width)
        }
    }

    /// Packs the patches of `images` consecutive images (`x` at the first one's group) side by
    /// side: image `i` fills columns `i·outPlane ..< (i+1)·outPlane` of `col` (rows `rowStride`
    /// apart), images spread over the workers when `parallel`.
    static func pack(_ g: Conv2DGeometry, input x: UnsafePointer<Float>, images: Int,
                     into col: UnsafeMutablePointer<Float>, rowStride: Int, parallel: Bool) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x)), cols = SendablePointer(col)
        let minimum = parallel ? max(1, 16384 / max(g.patchSize * g.outputPlane, 1)) : images
        Parallel.forEachRange(images, minimumPerWorker: minimum) { range in
            for i in range {
                Im2Col.pack(xs.pointer + i * g.inChannels * g.inputPlane, channels: g.inChannelsPerGroup, g,
                            into: cols.pointer + i * g.outputPlane, rowStride: rowStride)
            }
        }
    }

    /// The convolution of a tensor, allocating the output.
    ///
    /// - Returns: `[batch, outChannels, outHeight, outWidth]`
    package static func forward(_ input: Tensor, weight: Tensor, bias: Tensor?, relu: Bool = false,
                               filter: WinogradFilter? = nil, _ g: Conv2DGeometry) -> Tensor {
        precondition(input.shape == g.inputShape, "conv2d input \(input.shape), expected \(g.inputShape)")
        precondition(weight.shape == g.weightShape, "conv2d weight \(weight.shape), expected \(g.weightShape)")
        precondition(bias == nil || bias!.shape == [g.outChannels], "conv2d bias shape \(bias!.shape)")
        return Tensor(shape: g.outputShape) { out in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    if let bias {
                        bias.withUnsafeBufferPointer { b in
                            forward(g, input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                    relu: relu, filter: filter, output: out.baseAddress!)
                        }
                    } else {
                        forward(g, input: x.baseAddress!, weight: w.baseAddress!, bias: nil, relu: relu,
                                filter: filter, output: out.baseAddress!)
                    }
                }
            }
        }
    }

    /// The same contract as `forward` in plain loops over every output and kernel tap,
    /// accumulating in Double: the reference the fast path is tested against.
    package static func reference(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                 bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                let group = o / og
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        var sum = Double(bias?[o] ?? 0)
                        for c in 0..<cg {
                            let ci = group * cg + c
                            for kh in 0..<g.kernelHeight {
                                let ih = oh * g.strideH - g.padH + kh * g.dilationH
                                guard ih >= 0 && ih < g.height else { continue }
                                for kw in 0..<g.kernelWidth {
                                    let iw = ow * g.strideW - g.padW + kw * g.dilationW
                                    guard iw >= 0 && iw < g.width else { continue }
                                    let xv = input[((n * g.inChannels + ci) * g.height + ih) * g.width + iw]
                                    let wv = weight[((o * cg + c) * g.kernelHeight + kh) * g.kernelWidth + kw]
                                    sum += Double(xv) * Double(wv)
                                }
                            }
                        }
                        output[((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow] = Float(sum)
                    }
                }
            }
        }
    }
}
