/// Box reduction of an interleaved integer image by an integer factor, fed one row at a time
/// (`PNGCodec.decodeReduced`), so the full-size image never exists.
///
/// Output pixel (ox, oy) is the mean of the input block `[left + ox·f, left + ox·f + f) ×
/// [top + oy·f, top + oy·f + f)`, rounded half up; sums are exact (64-bit). The `width mod f`
/// columns and `height mod f` rows that fill no whole block are dropped, half on each side, so
/// the reduced image keeps the original's centre (a partial block made into a whole pixel would
/// stretch the image; dropping them on one side would shift it and its centre crop).
final class BoxReducer {
    let width: Int, height: Int, channels: Int, factor: Int
    /// ⌊width / factor⌋ × ⌊height / factor⌋.
    let outWidth: Int, outHeight: Int
    /// Input columns and rows skipped before the first block.
    let left: Int, top: Int
    /// Running sums of the current block row: `outWidth × channels`.
    private var sums: [UInt64]
    /// The reduced samples, interleaved, `outHeight × outWidth × channels`; complete after the last row.
    private(set) var output: [UInt32]

    init(width: Int, height: Int, channels: Int, factor: Int) {
        precondition(factor > 0 && width >= factor && height >= factor && channels > 0, "box reduce \(width)x\(height)x\(channels) by \(factor)")
        self.width = width
        self.height = height
        self.channels = channels
        self.factor = factor
        outWidth = width / factor
        outHeight = height / factor
        left = (width % factor) / 2
        top = (height % factor) / 2
        sums = [UInt64](repeating: 0, count: outWidth * channels)
        output = [UInt32](repeating: 0, count: outWidth * outHeight * channels)
    }

    /// Adds row `y` of 8-bit samples (`width × channels`); rows must come top to bottom, once each.
    func add(row y: Int, _ row: UnsafePointer<UInt8>) {
        guard covers(row: y) else { return }
        sums.withUnsafeMutableBufferPointer { s in
            for ox in 0..<outWidth { for i in block(ox) { s[ox * channels + i % channels] &+= UInt64(row[i]) } }
        }
        finish(row: y)
    }

    /// Adds row `y` of 16-bit samples (`width × channels`); rows must come top to bottom, once each.
    func add(row y: Int, _ row: UnsafePointer<UInt16>) {
        guard covers(row: y) else { return }
        sums.withUnsafeMutableBufferPointer { s in
            for ox in 0..<outWidth { for i in block(ox) { s[ox * channels + i % channels] &+= UInt64(row[i]) } }
        }
        finish(row: y)
    }

    /// Sample indices within a row of output column `ox`'s block. (`add` is written once per
    /// sample type, not generic: the CLI tests run the debug build, where a generic loop is many
    /// times slower.)
    private func block(_ ox: Int) -> Range<Int> {
        ((left + ox * factor) * channels)..<((left + ox * factor + factor) * channels)
    }

    /// Whether row `y` falls in a block row.
    private func covers(row y: Int) -> Bool {
        precondition(y >= 0 && y < height, "row \(y) of \(height)")
        return y >= top && y < top + outHeight * factor
    }

    private func finish(row y: Int) {
        if (y - top + 1) % factor == 0 { emit(blockRow: (y - top) / factor) }
    }

    /// Writes the means of block row `oy` and clears the sums.
    private func emit(blockRow oy: Int) {
        let c = channels, count = UInt64(factor * factor), base = oy * outWidth * c
        sums.withUnsafeMutableBufferPointer { s in
            output.withUnsafeMutableBufferPointer { out in
                for ox in 0..<outWidth {
                    for k in 0..<c {
                        out[base + ox * c + k] = UInt32((s[ox * c + k] + count / 2) / count)
                        s[ox * c + k] = 0
                    }
                }
            }
        }
    }
}
