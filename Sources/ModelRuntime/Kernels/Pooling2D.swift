/// The shapes of a 2-D pooling window over NCHW activations, PyTorch's `MaxPool2d`/`AvgPool2d`
/// conventions (floor mode, no dilation): `outHeight = (height + 2·padH − kernelHeight) / strideH + 1`.
package struct Pool2DGeometry: Sendable, Hashable {
    package let batch: Int
    package let channels: Int
    package let height: Int
    package let width: Int
    package let kernelHeight: Int
    package let kernelWidth: Int
    package let strideH: Int
    package let strideW: Int
    package let padH: Int
    package let padW: Int
    package let outHeight: Int
    package let outWidth: Int

    package init(batch: Int, channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strideH: Int, strideW: Int, padH: Int = 0, padW: Int = 0) {
        precondition(batch >= 0 && channels > 0 && height > 0 && width > 0 && kernelHeight > 0 && kernelWidth > 0
                     && strideH > 0 && strideW > 0, "pool2d: invalid sizes")
        precondition(padH >= 0 && padW >= 0 && 2 * padH <= kernelHeight && 2 * padW <= kernelWidth,
                     "pool2d: padding must be at most half the kernel (as PyTorch requires)")
        precondition(height + 2 * padH >= kernelHeight && width + 2 * padW >= kernelWidth,
                     "pool2d: kernel larger than the padded input")
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideH = strideH
        self.strideW = strideW
        self.padH = padH
        self.padW = padW
        outHeight = (height + 2 * padH - kernelHeight) / strideH + 1
        outWidth = (width + 2 * padW - kernelWidth) / strideW + 1
    }

    /// A square window; `stride` defaults to the kernel size, as in PyTorch.
    package init(batch: Int, channels: Int, height: Int, width: Int, kernel: Int, stride: Int? = nil,
                padding: Int = 0) {
        self.init(batch: batch, channels: channels, height: height, width: width, kernelHeight: kernel,
                  kernelWidth: kernel, strideH: stride ?? kernel, strideW: stride ?? kernel, padH: padding, padW: padding)
    }

    package var planes: Int { batch * channels }
    package var inputPlane: Int { height * width }
    package var outputPlane: Int { outHeight * outWidth }
    package var inputShape: [Int] { [batch, channels, height, width] }
    package var outputShape: [Int] { [batch, channels, outHeight, outWidth] }

    /// The input rows (or columns) a window starting at `start` covers, clipped to the input.
    @inline(__always)
    func clipped(_ start: Int, kernel: Int, size: Int) -> Range<Int> { max(start, 0)..<min(start + kernel, size) }
}

/// Max, average and global average pooling over NCHW activations; every function works plane
/// by plane (`batch · channels` planes), spread over `ComputeThreads.current` workers.
package enum Pooling2D {
    /// Max pooling; padding counts as −∞ and NaN wins, as in PyTorch.
    ///
    /// - Parameters:
    ///   - input: `[batch, channels, height, width]`
    ///   - output: `[batch, channels, outHeight, outWidth]`
    ///   - indices: same count as `output`: the argmax as `h · width + w` within its input plane
    ///     (PyTorch's `return_indices`), for `maxBackward`; nil when not needed.
    package static func max(_ g: Pool2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                           indices: UnsafeMutablePointer<Int32>?) {
        guard let indices else { return maxSeparable(g, input: input, output: output) }
        let xs = SendablePointer(UnsafeMutablePointer(mutating: input)), ys = SendablePointer(output)
        let ids = SendablePointer(indices)
        Parallel.forEachRange(g.planes, minimumPerWorker: Swift.max(1, 32768 / Swift.max(g.inputPlane, 1))) { planes in
            for p in planes {
                let x = xs.pointer + p * g.inputPlane, y = ys.pointer + p * g.outputPlane
                let index = ids.pointer + p * g.outputPlane
                for oh in 0..<g.outHeight {
                    let rows = g.clipped(oh * g.strideH - g.padH, kernel: g.kernelHeight, size: g.height)
                    for ow in 0..<g.outWidth {
                        let cols = g.clipped(ow * g.strideW - g.padW, kernel: g.kernelWidth, size: g.width)
                        var best = -Float.infinity
                        var bestIndex = rows.lowerBound * g.width + cols.lowerBound
                        for ih in rows {
                            for iw in cols {
                                let v = x[ih * g.width + iw]
                                if v > best || v.isNaN {
                                    best = v
                                    bestIndex = ih * g.width + iw
                                    if v.isNaN { break }
                                }
                            }
                            if best.isNaN { break }
                        }
                        y[oh * g.outWidth + ow] = best
                        index[oh * g.outWidth + ow] = Int32(bestIndex)
                    }
                }
            }
        }
    }

    /// `max` without indices (inference): per output row, the element-wise maximum of the window's
    /// input rows (a loop the compiler vectorises), then the maximum over each window's columns.
    /// The same values as the window-by-window loop, which stays for `indices` (and tests this).
    static func maxSeparable(_ g: Pool2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: input)), ys = SendablePointer(output)
        Parallel.forEachRange(g.planes, minimumPerWorker: Swift.max(1, 32768 / Swift.max(g.inputPlane, 1))) { planes in
            let rowMax = UnsafeMutablePointer<Float>.allocate(capacity: g.width)
            defer { rowMax.deallocate() }
            for p in planes {
                let x = xs.pointer + p * g.inputPlane, y = ys.pointer + p * g.outputPlane
                for oh in 0..<g.outHeight {
                    let rows = g.clipped(oh * g.strideH - g.padH, kernel: g.kernelHeight, size: g.height)
                    rowMax.update(from: x + rows.lowerBound * g.width, count: g.width)
                    for ih in rows.dropFirst() {
                        let row = x + ih * g.width
                        for i in 0..<g.width { rowMax[i] = larger(rowMax[i], row[i]) }
                    }
                    for ow in 0..<g.outWidth {
                        let cols = g.clipped(ow * g.strideW - g.padW, kernel: g.kernelWidth, size: g.width)
                        var best = rowMax[cols.lowerBound]
                        for iw in cols.dropFirst() { best = larger(best, rowMax[iw]) }
                        y[oh * g.outWidth + ow] = best
                    }
                }
            }
        }
    }

    /// The larger of two values, NaN winning (PyTorch's max pooling).
    @inline(__always)
    static func larger(_ a: Float, _ b: Float) -> Float { b > a || b.isNaN ? b : a }

    /// Average pooling. With `countIncludePadding` (PyTorch's default) every window divides by
    /// `kernelHeight · kernelWidth`; without it, by the number of input positions it covers.
    package static func average(_ g: Pool2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                               countIncludePadding: Bool = true) {
        let xs = SendablePointer(UnsafeMutablePointer(mutating: input)), ys = SendablePointer(output)
        Parallel.forEachRange(g.planes, minimumPerWorker: Swift.max(1, 32768 / Swift.max(g.inputPlane, 1))) { planes in
            for p in planes {
                let x = xs.pointer + p * g.inputPlane, y = ys.pointer + p * g.outputPlane
                for oh in 0..<g.outHeight {
                    let rows = g.clipped(oh * g.strideH - g.padH, kernel: g.kernelHeight, size: g.height)
                    for ow in 0..<g.outWidth {
                        let cols = g.clipped(ow * g.strideW - g.padW, kernel: g.kernelWidth, size: g.width)
                        var sum: Float = 0
                        for ih in rows { for iw in cols { sum += x[ih * g.width + iw] } }
                        let divisor = countIncludePadding ? g.kernelHeight * g.kernelWidth : rows.count * cols.count
                        y[oh * g.outWidth + ow] = sum / Float(divisor)
                    }
                }
            }
        }
    }

    /// Global average pooling: the mean of each plane.
    ///
    /// - Parameters:
    ///   - input: `[planes, spatial]` (NCHW with `planes = batch · channels`, `spatial = H · W`)
    ///   - output: `[planes]` (i.e. `[batch, channels]`)
    package static func globalAverage(_ input: UnsafePointer<Float>, planes: Int, spatial: Int,
                                     output: UnsafeMutablePointer<Float>) {
        let inverse = 1 / Float(spatial)
        for p in 0..<planes {
            let x = input + p * spatial
            var sum: Float = 0
            for i in 0..<spatial { sum += x[i] }
            output[p] = sum * inverse
        }
    }
}
