/// 2-D convolution (cross-correlation, as PyTorch's `F.conv2d`) in NCHW layout: the fast path
/// (im2col + one sgemm per group, images spread over `ComputeThreads.current` workers) and a
/// plain-loop reference it is tested against. Shapes: see `Conv2DGeometry`.
public enum Conv2D {
    /// `output = conv2d(input, weight) + bias`.
    ///
    /// - Parameters:
    ///   - input: `[batch, inChannels, height, width]`
    ///   - weight: `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`
    ///   - bias: `[outChannels]` or nil
    ///   - output: `[batch, outChannels, outHeight, outWidth]`, overwritten; must not overlap the input.
    public static func forward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let inputs = SendablePointer(UnsafeMutablePointer(mutating: input))
        let weights = SendablePointer(UnsafeMutablePointer(mutating: weight))
        let biases = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        let outputs = SendablePointer(output)
        forEachImageRange(g) { images in
            let col = g.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
            defer { col?.deallocate() }
            for n in images {
                forwardImage(g, input: inputs.pointer + n * g.inChannels * g.inputPlane, weight: weights.pointer,
                             bias: biases?.pointer, output: outputs.pointer + n * g.outChannels * g.outputPlane,
                             col: col)
            }
        }
    }

    /// One image: per group, pack the patches and multiply.
    @inline(__always)
    static func forwardImage(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                             col: UnsafeMutablePointer<Float>?) {
        let cg = g.inChannelsPerGroup, og = g.outChannelsPerGroup, k = g.patchSize, plane = g.outputPlane
        if let bias {
            for o in 0..<g.outChannels { (output + o * plane).update(repeating: bias[o], count: plane) }
        }
        for group in 0..<g.groups {
            let x = input + group * cg * g.inputPlane
            let patches: UnsafePointer<Float>
            if let col {
                Im2Col.pack(x, channels: cg, g, into: col)
                patches = UnsafePointer(col)
            } else {
                patches = x
            }
            MatMul.gemm(m: og, n: plane, k: k, a: weight + group * og * k, lda: k, b: patches, ldb: plane,
                        beta: bias == nil ? 0 : 1, c: output + group * og * plane, ldc: plane)
        }
    }

    /// Calls `body` with ranges of image indices: concurrently when there are several images and
    /// several threads, each worker owning its own scratch.
    static func forEachImageRange(_ g: Conv2DGeometry, _ body: @Sendable (Range<Int>) -> Void) {
        Parallel.forEachRange(g.batch, minimumPerWorker: 1, body)
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
