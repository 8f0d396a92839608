/// 2-D convolution (cross-correlation, as PyTorch's `F.conv2d`) in NCHW layout: the fast path
/// and a plain-loop reference it is tested against. Shapes: see `Conv2DGeometry`.
///
/// The fast path packs the patches of a chunk of images side by side into one im2col matrix
/// `[patchSize, images · outPlane]` and runs one sgemm per group and chunk, so that BLAS sees
/// wide matrices and uses its own threads; packing and unpacking are spread over images with
/// `Parallel` between the sgemm calls, never during them (no nested threads, no
/// oversubscription). A chunk's matrix is kept under `chunkBudget` floats.
public enum Conv2D {
    /// Upper bound, in floats, of one chunk's im2col matrix (16 MB).
    static let defaultChunkBudget = 1 << 22

    /// Images per chunk: as many as fit the budget (at least one).
    static func chunkSize(_ g: Conv2DGeometry, budget: Int) -> Int {
        max(1, min(g.batch, budget / max(g.patchSize * g.outputPlane, 1)))
    }

    /// `output = conv2d(input, weight) + bias`.
    ///
    /// - Parameters:
    ///   - input: `[batch, inChannels, height, width]`
    ///   - weight: `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`
    ///   - bias: `[outChannels]` or nil
    ///   - output: `[batch, outChannels, outHeight, outWidth]`, overwritten; must not overlap the input.
    public static func forward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        forward(g, input: input, weight: weight, bias: bias, output: output, chunkBudget: defaultChunkBudget)
    }

    /// `forward` with an explicit chunk budget (tests use small ones to cover every path).
    static func forward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, chunkBudget: Int) {
        guard g.batch > 0 else { return }
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup, k = g.patchSize, plane = g.outputPlane
        let chunk = chunkSize(g, budget: chunkBudget)
        // A single image of a pointwise convolution is its own patch matrix: no scratch at all.
        let direct = chunk == 1 && g.isPointwise
        let col: UnsafeMutablePointer<Float>? = direct ? nil : .allocate(capacity: k * chunk * plane)
        let product: UnsafeMutablePointer<Float>? = chunk > 1 ? .allocate(capacity: og * chunk * plane) : nil
        defer {
            col?.deallocate()
            product?.deallocate()
        }
        let ys = SendablePointer(output)
        let biases = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = min(chunk, g.batch - first), columns = images * plane
            for group in 0..<g.groups {
                let patches: UnsafePointer<Float>
                if let col {
                    pack(g, input: input, images: first..<(first + images), group: group, into: col, rowStride: columns)
                    patches = UnsafePointer(col)
                } else {
                    patches = input + (first * g.inChannels + group * cg) * g.inputPlane
                }
                let wg = weight + group * og * k
                if images == 1 {
                    // One image: multiply straight into its output planes.
                    let out = output + (first * g.outChannels + group * og) * plane
                    if let bias {
                        for o in 0..<og { (out + o * plane).update(repeating: bias[group * og + o], count: plane) }
                    }
                    MatMul.gemm(m: og, n: plane, k: k, a: wg, lda: k, b: patches, ldb: plane,
                                beta: bias == nil ? 0 : 1, c: out, ldc: plane)
                    continue
                }
                let product = product!
                MatMul.gemm(m: og, n: columns, k: k, a: wg, lda: k, b: patches, ldb: columns, c: product, ldc: columns)
                // [og, images · plane] → each image's [og, plane] block of NCHW, adding the bias.
                let products = SendablePointer(product)
                Parallel.forEachRange(images, minimumPerWorker: max(1, 16384 / max(og * plane, 1))) { range in
                    for i in range {
                        for o in 0..<og {
                            let src = products.pointer + o * columns + i * plane
                            let channel = group * og + o
                            let dst = ys.pointer + ((first + i) * g.outChannels + channel) * plane
                            if let b = biases?.pointer[channel] {
                                for p in 0..<plane { dst[p] = src[p] + b }
                            } else {
                                dst.update(from: src, count: plane)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Packs the patches of `images` (group `group`) side by side: image `i` of the range fills
    /// columns `i·outPlane ..< (i+1)·outPlane` of `col` (rows `rowStride` apart).
    static func pack(_ g: Conv2DGeometry, input: UnsafePointer<Float>, images: Range<Int>, group: Int,
                     into col: UnsafeMutablePointer<Float>, rowStride: Int) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: input)), cols = SendablePointer(col)
        let cg = g.inChannelsPerGroup, first = images.lowerBound
        Parallel.forEachRange(images.count, minimumPerWorker: max(1, 16384 / max(g.patchSize * g.outputPlane, 1))) {
            range in
            for i in range {
                let x = xs.pointer + ((first + i) * g.inChannels + group * cg) * g.inputPlane
                Im2Col.pack(x, channels: cg, g, into: cols.pointer + i * g.outputPlane, rowStride: rowStride)
            }
        }
    }

    /// The convolution of a tensor, allocating the output.
    ///
    /// - Returns: `[batch, outChannels, outHeight, outWidth]`
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor?, _ g: Conv2DGeometry) -> Tensor {
        precondition(input.shape == g.inputShape, "conv2d input \(input.shape), expected \(g.inputShape)")
        precondition(weight.shape == g.weightShape, "conv2d weight \(weight.shape), expected \(g.weightShape)")
        precondition(bias == nil || bias!.shape == [g.outChannels], "conv2d bias shape \(bias!.shape)")
        return Tensor(shape: g.outputShape) { out in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    if let bias {
                        bias.withUnsafeBufferPointer { b in
                            forward(g, input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                    output: out.baseAddress!)
                        }
                    } else {
                        forward(g, input: x.baseAddress!, weight: w.baseAddress!, bias: nil, output: out.baseAddress!)
                    }
                }
            }
        }
    }

    /// The same contract as `forward` in plain loops over every output and kernel tap,
    /// accumulating in Double: the reference the fast path is tested against.
    public static func reference(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
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
