/// Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, *Fast Algorithms for Convolutional
/// Neural Networks*, 2016) for 3×3, stride-1, undilated, ungrouped convolutions — most of a
/// ResNet's work. Each 2×2 block of output comes from a 4×4 block of input `d` and the filter
/// `g` as `Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A` with
///
///     G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
///     Aᵀ = [1 1 1 0; 0 1 −1 −1]
///
/// Summed over input channels, the element-wise product becomes 16 matrix products, one per
/// position ξ of the 4×4 block: `M[ξ] = U[ξ] [out, in] · V[ξ] [in, blocks]` — 16 multiplications
/// per block and channel pair where the direct form needs 36 (2.25× fewer for even sizes). The
/// transforms are additions only (and the ½ of G), so results match the direct convolution to
/// float rounding. `Conv2D.forward` takes this path where it `pays`; `Conv2D.reference` is what
/// it is tested against.
extension Conv2D {
    /// A layer's weights in the Winograd domain (`[16, out, in]`), for a convolution that runs
    /// many times with the same weights (inference): `forward` then skips the transform.
    package struct WinogradFilter: Sendable {
        let values: [Float]

        /// - Parameter weight: `[out, in, 3, 3]`
        package init(weight: Tensor) {
            precondition(weight.shape.count == 4 && weight.shape[2] == 3 && weight.shape[3] == 3,
                         "Winograd filter of a \(weight.shape) weight")
            let g = Conv2DGeometry(batch: 1, inChannels: weight.shape[1], height: 3, width: 3,
                                   outChannels: weight.shape[0], kernel: 3, padding: 1)
            values = weight.withUnsafeBufferPointer { Winograd.filter(g, $0.baseAddress!) }
        }
    }

    enum Winograd {
        /// 3×3, stride 1, no dilation, one group, padding below 3.
        static func applies(_ g: Conv2DGeometry) -> Bool {
            g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1
                && g.dilationW == 1 && g.groups == 1 && g.padH < 3 && g.padW < 3
        }

        /// `applies` and at least `minimumChannels` on both sides: the path `forward` takes.
        static func pays(_ g: Conv2DGeometry) -> Bool {
            applies(g) && min(g.inChannels, g.outChannels) >= minimumChannels
        }

        /// The transforms cost about `in + out` per block and the products `in · out`, so few
        /// channels do not pay. 32 (the triage model's first stage) still did: that model ran
        /// 18% faster at batch 1 than with im2col for that stage; fewer were not measured.
        static let minimumChannels = 32

        static func blockRows(_ g: Conv2DGeometry) -> Int { (g.outHeight + 1) / 2 }
        static func blockColumns(_ g: Conv2DGeometry) -> Int { (g.outWidth + 1) / 2 }

        /// Tiles whose transformed input `[16, in, blocks]` stays under `budget` floats.
        static func plan(_ g: Conv2DGeometry, budget: Int) -> Plan {
            let perImage = 16 * g.inChannels * blockRows(g) * blockColumns(g)
            let chunk = balanced(g.batch, atMost: budget / max(perImage, 1))
            let band = balanced(blockRows(g), atMost: budget / max(16 * g.inChannels * blockColumns(g), 1))
            let tiles = Plan.tiles(batch: g.batch, rows: blockRows(g), chunk: chunk, band: band)
            let blocks = chunk > 1 ? chunk * blockRows(g) * blockColumns(g) : band * blockColumns(g)
            // Slack of one vector: `Rows.inverse` reads whole vectors past a row's last block.
            return Plan(tiles: tiles, scratch: (16 * g.inChannels * blocks, 16 * g.outChannels * blocks + 8))
        }

        /// `U[ξ][o][c] = (G g Gᵀ)[ξ]` for every filter `g = W[o, c]`: `[16, out, in]`.
        static func filter(_ g: Conv2DGeometry, _ weight: UnsafePointer<Float>) -> [Float] {
            let outs = g.outChannels, ins = g.inChannels
            return [Float](unsafeUninitializedCapacity: 16 * outs * ins) { u, count in
                let u = u.baseAddress!
                for o in 0..<outs {
                    for c in 0..<ins {
                        let w = weight + (o * ins + c) * 9
                        // Row i of G g (G applied down each column), then G along it.
                        func store(_ i: Int, _ a: Float, _ b: Float, _ e: Float) {
                            let values = (a, (a + b + e) * 0.5, (a - b + e) * 0.5, e)
                            u[((4 * i) * outs + o) * ins + c] = values.0
                            u[((4 * i + 1) * outs + o) * ins + c] = values.1
                            u[((4 * i + 2) * outs + o) * ins + c] = values.2
                            u[((4 * i + 3) * outs + o) * ins + c] = values.3
                        }
                        store(0, w[0], w[1], w[2])
                        store(1, (w[0] + w[3] + w[6]) * 0.5, (w[1] + w[4] + w[7]) * 0.5, (w[2] + w[5] + w[8]) * 0.5)
                        store(2, (w[0] - w[3] + w[6]) * 0.5, (w[1] - w[4] + w[7]) * 0.5, (w[2] - w[5] + w[8]) * 0.5)
                        store(3, w[6], w[7], w[8])
                    }
                }
                count = 16 * outs * ins
            }
        }

        /// One tile: transform the input, 16 sgemm calls, transform back with bias and ReLU.
        /// With `parallel` (and enough work), each step is spread over the workers (channels, ξ,
        /// output channels).
        static func forward(_ g: Conv2DGeometry, _ tile: Plan.Tile, input: UnsafePointer<Float>,
                            filter: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                            output: UnsafeMutablePointer<Float>, scratch: Scratch, parallel: Bool) {
            let ins = g.inChannels, outs = g.outChannels, columns = blockColumns(g)
            let perImage = tile.rows.count * columns, blocks = tile.images * perImage
            let v = SendablePointer(scratch.col!), m = SendablePointer(scratch.product!)
            let xs = SendablePointer(UnsafeMutablePointer(mutating: input)), ys = SendablePointer(output)
            let us = SendablePointer(UnsafeMutablePointer(mutating: filter))
            let bs = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
            let workers = parallel && 16 * outs * ins * blocks >= minimumSplitWork ? ComputeThreads.current : 1
            Parallel.forEachRange(tile.images * ins, minimumPerWorker: max(1, tile.images * ins / workers)) { items in
                let rows = Rows(g)
                for item in items {
                    let image = item / ins, c = item % ins
                    let x = xs.pointer + ((tile.first + image) * ins + c) * g.inputPlane
                    for (r, blockRow) in tile.rows.enumerated() {
                        rows.transform(x, blockRow: blockRow,
                                       into: v.pointer + c * blocks + image * perImage + r * columns, stride: ins * blocks)
                    }
                }
            }
            Parallel.forEachRange(16, minimumPerWorker: 16 / workers) { positions in
                for xi in positions {
                    MatMul.gemm(m: outs, n: blocks, k: ins, a: us.pointer + xi * outs * ins, lda: ins,
                                b: v.pointer + xi * ins * blocks, ldb: blocks, c: m.pointer + xi * outs * blocks,
                                ldc: blocks)
                }
            }
            Parallel.forEachRange(tile.images * outs, minimumPerWorker: max(1, tile.images * outs / workers)) { items in
                let rows = Rows(g)
                for item in items {
                    let image = item / outs, o = item % outs
                    let y = ys.pointer + ((tile.first + image) * outs + o) * g.outputPlane
                    for (r, blockRow) in tile.rows.enumerated() {
                        rows.inverse(m.pointer + o * blocks + image * perImage + r * columns, stride: outs * blocks,
                                     blockRow: blockRow, bias: bs?.pointer[o] ?? 0, relu: relu, into: y)
                    }
                }
            }
        }

        /// A worker's row buffers for both transforms, which run on whole rows of blocks so that
        /// every step is a loop over `SIMD8` lanes of block columns. The buffers are padded to
        /// whole vectors (lanes past the end compute values that are never stored); the scratch
        /// they read has the same slack (`plan`).
        final class Rows {
            let g: Conv2DGeometry
            /// Blocks per row; entries per even or odd half of a padded input row (one more),
            /// rounded up to whole vectors.
            let columns: Int, half8: Int
            /// 4 even and 4 odd halves of padded input rows; their vertical transforms (4 + 4).
            private let even, odd, evenT, oddT: UnsafeMutablePointer<Float>
            private let storage: UnsafeMutablePointer<Float>

            init(_ g: Conv2DGeometry) {
                self.g = g
                columns = blockColumns(g)
                half8 = (columns + 1 + 7) / 8 * 8
                let count = 16 * half8 + 8
                storage = .allocate(capacity: count)
                storage.initialize(repeating: 0, count: count)
                even = storage
                odd = even + 4 * half8
                evenT = odd + 4 * half8
                oddT = evenT + 4 * half8
            }

            deinit { storage.deallocate() }

            /// `Bᵀ d B` of every 4×4 block of `blockRow` of one channel `x`; value ξ of block `j`
            /// goes to `v[ξ · stride + j]`.
            func transform(_ x: UnsafePointer<Float>, blockRow: Int, into v: UnsafeMutablePointer<Float>,
                           stride: Int) {
                // Input rows 2·blockRow − padH + k (zero outside), split into the even and odd
                // columns of the padded row: even[j] = x[2j − padW], odd[j] = x[2j + 1 − padW].
                for k in 0..<4 {
                    let r = 2 * blockRow - g.padH + k, e = even + k * half8, o = odd + k * half8
                    guard r >= 0 && r < g.height else {
                        e.update(repeating: 0, count: half8)
                        o.update(repeating: 0, count: half8)
                        continue
                    }
                    let row = x + r * g.width
                    for j in Swift.stride(from: 0, to: half8, by: 8) {
                        let start = 2 * j - g.padW
                        if start >= 0 && start + 16 <= g.width {
                            let pair = UnsafeRawPointer(row + start).loadUnaligned(as: SIMD16<Float>.self)
                            e.store(pair.evenHalf, at: j)
                            o.store(pair.oddHalf, at: j)
                        } else {  // the row's ends: padding
                            for lane in 0..<8 {
                                let u = start + 2 * lane
                                e[j + lane] = u >= 0 && u < g.width ? row[u] : 0
                                o[j + lane] = u + 1 >= 0 && u + 1 < g.width ? row[u + 1] : 0
                            }
                        }
                    }
                }
                // Bᵀ down the columns: t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3.
                for part in 0..<2 {
                    let d = part == 0 ? even : odd, t = part == 0 ? evenT : oddT
                    for j in Swift.stride(from: 0, to: half8, by: 8) {
                        let d0 = d.simd8(j), d1 = d.simd8(half8 + j), d2 = d.simd8(2 * half8 + j)
                        let d3 = d.simd8(3 * half8 + j)
                        t.store(d0 - d2, at: j)
                        t.store(d1 + d2, at: half8 + j)
                        t.store(d2 - d1, at: 2 * half8 + j)
                        t.store(d1 - d3, at: 3 * half8 + j)
                    }
                }
                // B along each row: block j reads padded columns 2j … 2j + 3 = even[j], odd[j],
                // even[j + 1], odd[j + 1].
                for k in 0..<4 {
                    let e = evenT + k * half8, o = oddT + k * half8, row = v + (4 * k) * stride
                    for step in Swift.stride(from: 0, to: columns, by: 8) {
                        // A last partial vector overlaps the one before (same values stored twice).
                        let j = columns >= 8 ? min(step, columns - 8) : step
                        let a0 = e.simd8(j), a1 = o.simd8(j), a2 = e.simd8(j + 1), a3 = o.simd8(j + 1)
                        row.store(a0 - a2, at: j, end: columns)
                        (row + stride).store(a1 + a2, at: j, end: columns)
                        (row + 2 * stride).store(a2 - a1, at: j, end: columns)
                        (row + 3 * stride).store(a1 - a3, at: j, end: columns)
                    }
                }
            }

            /// `Aᵀ m A` for every block of `blockRow` of one output channel (`m[ξ · stride + j]`):
            /// output rows `2·blockRow` and `2·blockRow + 1` (those inside the image), plus
            /// `bias`, through a ReLU when `relu`.
            func inverse(_ m: UnsafePointer<Float>, stride: Int, blockRow: Int, bias: Float, relu: Bool,
                         into y: UnsafeMutablePointer<Float>) {
                let b = SIMD8<Float>(repeating: bias), zero = SIMD8<Float>()
                for step in Swift.stride(from: 0, to: columns, by: 8) {
                    // A last partial vector overlaps the one before, unless that would write
                    // past an odd-width row.
                    let j = columns >= 8 && g.outWidth % 2 == 0 ? min(step, columns - 8) : step
                    // Aᵀ along ξ-row k: the blocks' left (p) and right (q) output columns.
                    var p = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>()), q = p
                    for k in 0..<4 {
                        let base = m + (4 * k) * stride + j
                        let a = base.simd8(0), c = base.simd8(stride), e = base.simd8(2 * stride)
                        let f = base.simd8(3 * stride)
                        switch k {
                        case 0: (p.0, q.0) = (a + c + e, c - e - f)
                        case 1: (p.1, q.1) = (a + c + e, c - e - f)
                        case 2: (p.2, q.2) = (a + c + e, c - e - f)
                        default: (p.3, q.3) = (a + c + e, c - e - f)
                        }
                    }
                    var y00 = p.0 + p.1 + p.2 + b, y01 = q.0 + q.1 + q.2 + b
                    var y10 = p.1 - p.2 - p.3 + b, y11 = q.1 - q.2 - q.3 + b
                    if relu {
                        y00.replace(with: zero, where: y00 .< zero)
                        y01.replace(with: zero, where: y01 .< zero)
                        y10.replace(with: zero, where: y10 .< zero)
                        y11.replace(with: zero, where: y11 .< zero)
                    }
                    // Interleave the blocks' left and right columns into the output rows.
                    let width = g.outWidth, end = width - 2 * j
                    let top = y + 2 * blockRow * width + 2 * j
                    store(y00, y01, into: top, end: end)
                    if 2 * blockRow + 1 < g.outHeight { store(y10, y11, into: top + width, end: end) }
                }
            }

            /// `dst[2i] = left[i]`, `dst[2i + 1] = right[i]` for the indices below `end`.
            @inline(__always)
            private func store(_ left: SIMD8<Float>, _ right: SIMD8<Float>, into dst: UnsafeMutablePointer<Float>,
                               end: Int) {
                var pair = SIMD16<Float>()
                pair.evenHalf = left
                pair.oddHalf = right
                if end >= 16 {
                    UnsafeMutableRawPointer(dst).storeBytes(of: pair, as: SIMD16<Float>.self)
                } else {
                    for i in 0..<end { dst[i] = pair[i] }
                }
            }
        }
    }
}
