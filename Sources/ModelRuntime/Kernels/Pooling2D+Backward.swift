extension Pooling2D {
    /// Gradient of `max`: each output gradient goes to the input position its window picked.
    ///
    /// - Parameters:
    ///   - outputGradient: `[batch, channels, outHeight, outWidth]`
    ///   - indices: what `max` wrote
    ///   - inputGradient: `[batch, channels, height, width]`, overwritten
    package static func maxBackward(_ g: Pool2DGeometry, outputGradient: UnsafePointer<Float>,
                                   indices: UnsafePointer<Int32>, inputGradient: UnsafeMutablePointer<Float>) {
        let dys = SendablePointer(UnsafeMutablePointer(mutating: outputGradient))
        let ids = SendablePointer(UnsafeMutablePointer(mutating: indices)), dxs = SendablePointer(inputGradient)
        Parallel.forEachRange(g.planes, minimumPerWorker: Swift.max(1, 32768 / Swift.max(g.inputPlane, 1))) { planes in
            for p in planes {
                let dx = dxs.pointer + p * g.inputPlane
                let dy = dys.pointer + p * g.outputPlane, index = ids.pointer + p * g.outputPlane
                dx.update(repeating: 0, count: g.inputPlane)
                for o in 0..<g.outputPlane { dx[Int(index[o])] += dy[o] }
            }
        }
    }

    /// Gradient of `average` (same `countIncludePadding`): each output gradient is spread evenly
    /// over the input positions of its window. `inputGradient` is overwritten.
    package static func averageBackward(_ g: Pool2DGeometry, outputGradient: UnsafePointer<Float>,
                                       inputGradient: UnsafeMutablePointer<Float>, countIncludePadding: Bool = true) {
        let dys = SendablePointer(UnsafeMutablePointer(mutating: outputGradient)), dxs = SendablePointer(inputGradient)
        Parallel.forEachRange(g.planes, minimumPerWorker: Swift.max(1, 32768 / Swift.max(g.inputPlane, 1))) { planes in
            for p in planes {
                let dx = dxs.pointer + p * g.inputPlane, dy = dys.pointer + p * g.outputPlane
                dx.update(repeating: 0, count: g.inputPlane)
                for oh in 0..<g.outHeight {
                    let rows = g.clipped(oh * g.strideH - g.padH, kernel: g.kernelHeight, size: g.height)
                    for ow in 0..<g.outWidth {
                        let cols = g.clipped(ow * g.strideW - g.padW, kernel: g.kernelWidth, size: g.width)
                        let divisor = countIncludePadding ? g.kernelHeight * g.kernelWidth : rows.count * cols.count
                        let share = dy[oh * g.outWidth + ow] / Float(divisor)
                        for ih in rows { for iw in cols { dx[ih * g.width + iw] += share } }
                    }
                }
            }
        }
    }

    /// Gradient of `globalAverage`: `dx[p, i] = dy[p] / spatial`. `inputGradient` is overwritten.
    package static func globalAverageBackward(_ outputGradient: UnsafePointer<Float>, planes: Int, spatial: Int,
                                             inputGradient: UnsafeMutablePointer<Float>) {
        let inverse = 1 / Float(spatial)
        for p in 0..<planes {
            (inputGradient + p * spatial).update(repeating: outputGradient[p] * inverse, count: spatial)
        }
    }
}
