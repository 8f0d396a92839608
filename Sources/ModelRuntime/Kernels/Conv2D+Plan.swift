/// How a convolution is cut into tiles and run on the threads (the im2col path and `Winograd`).
extension Conv2D {
    /// Floats of im2col matrix per sgemm call: 1 MiB (a core's L2 cache on the machines this was
    /// measured on), or twice the group's weight matrix when that is larger. With few output
    /// channels, sgemm ran up to 1.6× faster on such tiles than on 16 MiB ones (whose packing
    /// inside BLAS streams from L3 or memory); with many, narrow tiles re-pack the weights too
    /// often (ResNet-18's last stage: 71 GFLOP/s at 49 columns, 93 at 490).
    static func tileBudget(_ g: Conv2DGeometry) -> Int {
        max(1 << 18, 2 * g.outChannelsPerGroup * g.patchSize)
    }

    /// Images per chunk: as many as fit the budget (at least one), evened out over the chunks
    /// (64 images at most 37 per chunk: two of 32, not 37 and 27).
    static func chunkSize(_ g: Conv2DGeometry, budget: Int) -> Int {
        balanced(g.batch, atMost: budget / max(g.patchSize * g.outputPlane, 1))
    }

    /// The size of the fewest equal-as-possible parts of `count` of at most `limit` (≥ 1) each.
    static func balanced(_ count: Int, atMost limit: Int) -> Int {
        let limit = max(1, min(count, limit))
        let parts = (count + limit - 1) / limit
        return max(1, (count + parts - 1) / max(parts, 1))
    }

    /// Output rows per band when a chunk is one image: as many as fit the budget (at least one), evened out.
    static func bandRows(_ g: Conv2DGeometry, budget: Int) -> Int {
        balanced(g.outHeight, atMost: budget / max(g.patchSize * g.outWidth, 1))
    }

    /// A convolution cut into independent tiles (disjoint outputs), each a few sgemm calls on
    /// at most a budget of scratch, and the scratch a worker needs.
    struct Plan {
        /// Images `first ..< first + images`; `rows` of their output (all rows unless one image;
        /// in tile rows of 2 output rows for `Winograd`).
        struct Tile {
            let first: Int, images: Int
            let rows: Range<Int>
        }

        let tiles: [Tile]
        /// Floats of the two scratch buffers (patch matrix or transformed input; product).
        let scratch: (col: Int, product: Int)

        init(tiles: [Tile], scratch: (col: Int, product: Int)) {
            self.tiles = tiles
            self.scratch = scratch
        }

        /// Chunks of `chunk` images of `rows` rows each when `chunk > 1`, else every image in
        /// bands of `band` rows.
        static func tiles(batch: Int, rows: Int, chunk: Int, band: Int) -> [Tile] {
            if chunk > 1 {
                return stride(from: 0, to: batch, by: chunk).map { Tile(first: $0, images: min(chunk, batch - $0), rows: 0..<rows) }
            }
            let bands = stride(from: 0, to: rows, by: band).map { $0..<min($0 + band, rows) }
            return (0..<batch).flatMap { n in bands.map { Tile(first: n, images: 1, rows: $0) } }
        }

        /// im2col: chunks of images side by side when an image's patch matrix is small, else
        /// bands of one image's output rows; a single pointwise image needs no patch matrix.
        init(_ g: Conv2DGeometry, budget: Int) {
            let chunk = chunkSize(g, budget: budget), direct = chunk == 1 && g.isPointwise
            let band = direct ? g.outHeight : bandRows(g, budget: budget)
            tiles = Self.tiles(batch: g.batch, rows: g.outHeight, chunk: chunk, band: band)
            let col = direct ? 0 : (chunk > 1 ? g.patchSize * chunk * g.outputPlane : g.patchSize * band * g.outWidth)
            scratch = (col, chunk > 1 ? g.outChannelsPerGroup * chunk * g.outputPlane : 0)
        }

        /// Runs `body` on every tile, BLAS on one thread throughout (its own threads would add a
        /// barrier per sgemm and spin against ours). With several threads, enough tiles are
        /// spread over workers that take them one by one (`parallel` false: each tile on one
        /// thread); a few tiles run in order, each cut over the threads (`parallel` true).
        func run(_ body: @Sendable (Tile, Scratch, _ parallel: Bool) -> Void) {
            let counts = scratch, tiles = self.tiles, workers = ComputeThreads.current
            ComputeThreads.withSerialBLAS {
                guard workers > 1, tiles.count >= 2 * workers || tiles.count % workers == 0 else {
                    let scratch = Scratch(counts)
                    for tile in tiles { body(tile, scratch, workers > 1) }
                    return
                }
                Parallel.forEachDynamic(tiles.count) { next in
                    let scratch = Scratch(counts)
                    while let i = next() { body(tiles[i], scratch, false) }
                }
            }
        }
    }

    /// A worker's patch-matrix and product buffers (nil when the plan needs none).
    final class Scratch: @unchecked Sendable {
        let col: UnsafeMutablePointer<Float>?
        let product: UnsafeMutablePointer<Float>?

        init(_ counts: (col: Int, product: Int)) {
            col = counts.col > 0 ? .allocate(capacity: counts.col) : nil
            product = counts.product > 0 ? .allocate(capacity: counts.product) : nil
        }

        deinit {
            col?.deallocate()
            product?.deallocate()
        }
    }

    /// Multiply-adds below which a tile is not cut over the threads (`Plan.run`): the hand-offs
    /// to the workers (one per step) cost more than they save.
    static let minimumSplitWork = 1 << 23
}
