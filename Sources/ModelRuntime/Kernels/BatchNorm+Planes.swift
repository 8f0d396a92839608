/// Batch norm's loops over one plane (a contiguous run of floats), written on `SIMD8<Float>`.
///
/// Sums: eight Float lanes accumulate up to `block` elements, then are added into a Double. A
/// Double accumulator in a plain loop cannot be vectorised (the additions may not be
/// reordered), which made the statistics a tenth of a training step; this keeps Float error
/// to blocks of 128 per lane. The input gradient with a ReLU mask did not vectorise either (the
/// output may alias the input). `reference*` are the plain loops they are tested against.
enum BatchNormPlanes {
    static let block = 1024

    /// `Σ x[i]`
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        forBlocks(count) { start, end in
            var lanes = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                lanes += load(x + i)
                i += 8
            }
            var tail: Float = 0
            while i < end {
                tail += x[i]
                i += 1
            }
            total += Double(lanes.sum() + tail)
        }
        return total
    }

    /// `Σ (x[i] − mean)²`
    static func centeredSquares(_ x: UnsafePointer<Float>, count: Int, mean: Float) -> Double {
        var total = 0.0
        let m = SIMD8<Float>(repeating: mean)
        forBlocks(count) { start, end in
            var lanes = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                let d = load(x + i) - m
                lanes += d * d
                i += 8
            }
            var tail: Float = 0
            while i < end {
                let d = x[i] - mean
                tail += d * d
                i += 1
            }
            total += Double(lanes.sum() + tail)
        }
        return total
    }

    /// `(Σ d[i], Σ d[i] · (x[i] − mean) · inverse)` with `d = dy`, or `d = y > 0 ? dy : 0` when
    /// `mask` (a ReLU's output) is given.
    static func gradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
                             count: Int, mean: Float, inverse: Float) -> (Double, Double) {
        var totalDy = 0.0, totalDyXhat = 0.0
        let m = SIMD8<Float>(repeating: mean), s = SIMD8<Float>(repeating: inverse), zero = SIMD8<Float>()
        forBlocks(count) { start, end in
            var lanesDy = SIMD8<Float>(), lanesDyXhat = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                var d = load(dy + i)
                if let mask { d.replace(with: zero, where: .!(load(mask + i) .> zero)) }
                lanesDy += d
                lanesDyXhat += d * ((load(x + i) - m) * s)
                i += 8
            }
            var tailDy: Float = 0, tailDyXhat: Float = 0
            while i < end {
                let d = mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]
                tailDy += d
                tailDyXhat += d * ((x[i] - mean) * inverse)
                i += 1
            }
            totalDy += Double(lanesDy.sum() + tailDy)
            totalDyXhat += Double(lanesDyXhat.sum() + tailDyXhat)
        }
        return (totalDy, totalDyXhat)
    }

    /// `dx[i] = scale · (d[i] − meanDy − (x[i] − mean) · inverse · meanDyXhat)`, `d` as in
    /// `gradientSums`. `dx` may be `dy` (in place).
    static func inputGradient(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                              mask: UnsafePointer<Float>?, count: Int, mean: Float, inverse: Float, scale: Float,
                              meanDy: Float, meanDyXhat: Float) {
        let m = SIMD8<Float>(repeating: mean), s = SIMD8<Float>(repeating: inverse), zero = SIMD8<Float>()
        let g = SIMD8<Float>(repeating: scale), a = SIMD8<Float>(repeating: meanDy)
        let b = SIMD8<Float>(repeating: meanDyXhat)
        var i = 0
        while i + 8 <= count {
            var d = load(dy + i)
            if let mask { d.replace(with: zero, where: .!(load(mask + i) .> zero)) }
            let value = g * (d - a - (load(x + i) - m) * s * b)
            dx.store(value, at: i)
            i += 8
        }
        while i < count {
            let d = mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]
            dx[i] = scale * (d - meanDy - (x[i] - mean) * inverse * meanDyXhat)
            i += 1
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { p.simd8(0) }

    @inline(__always)
    private static func forBlocks(_ count: Int, _ body: (Int, Int) -> Void) {
        var start = 0
        while start < count {
            body(start, min(start + block, count))
            start += block
        }
    }

    static func referenceSum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        (0..<count).reduce(0.0) { $0 + Double(x[$1]) }
    }

    static func referenceCenteredSquares(_ x: UnsafePointer<Float>, count: Int, mean: Float) -> Double {
        (0..<count).reduce(0.0) { $0 + (Double(x[$1]) - Double(mean)) * (Double(x[$1]) - Double(mean)) }
    }

    static func referenceGradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                      mask: UnsafePointer<Float>?, count: Int, mean: Float,
                                      inverse: Float) -> (Double, Double) {
        var sumDy = 0.0, sumDyXhat = 0.0
        for i in 0..<count {
            let d = Double(mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i])
            sumDy += d
            sumDyXhat += d * Double((x[i] - mean) * inverse)
        }
        return (sumDy, sumDyXhat)
    }

    static func referenceInputGradient(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                       _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?, count: Int, mean: Float,
                                       inverse: Float, scale: Float, meanDy: Float, meanDyXhat: Float) {
        for i in 0..<count {
            let d = mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]
            dx[i] = scale * (d - meanDy - (x[i] - mean) * inverse * meanDyXhat)
        }
    }
}
