/// The patch matrix of a convolution (im2col) and its adjoint (col2im), for one image and one
/// group of input channels.
///
/// `col[(c·kH + kh)·kW + kw, oh·outW + ow] = x[c, oh·strideH − padH + kh·dilationH,
/// ow·strideW − padW + kw·dilationW]`, zero where that falls in the padding. With it a
/// convolution is one sgemm per group: `out[Og, outPlane] = W[Og, patchSize] · col`.
enum Im2Col {
    /// The outputs `o` (in `0..<outSize`) whose input position `o·stride + offset` lies inside
    /// `0..<inSize`: a contiguous range, so the inner loops need no bounds tests.
    @inline(__always)
    static func validRange(offset: Int, stride: Int, inSize: Int, outSize: Int) -> Range<Int> {
        if stride == 1 {  // no division (this runs for every row of the patch matrix)
            let lower = max(-offset, 0), upper = min(outSize, inSize - offset)
            return lower < upper ? lower..<upper : 0..<0
        }
        let lower = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = inSize - 1 - offset
        let upper = last < 0 ? 0 : min(outSize, last / stride + 1)
        return lower < upper ? lower..<upper : 0..<0
    }

    /// Writes the `[channels · kH · kW, outH · outW]` patch matrix of `x` (`channels` planes of
    /// `height × width`) into `col`, whose rows are `rowStride` apart (≥ `outH · outW`; wider
    /// when several images share one matrix side by side); every element of the block is written.
    /// With `outputRows`, only the columns of those output rows: `[channels · kH · kW,
    /// outputRows.count · outW]` (a band of the image, for tiling).
    static func pack(_ x: UnsafePointer<Float>, channels: Int, _ g: Conv2DGeometry, outputRows: Range<Int>? = nil,
                     into col: UnsafeMutablePointer<Float>, rowStride: Int) {
        let width = g.width, outW = g.outWidth
        let band = outputRows ?? 0..<g.outHeight
        let sw = g.strideW
        var row = col
        for c in 0..<channels {
            let xc = x + c * g.inputPlane
            for kh in 0..<g.kernelHeight {
                let rowOffset = kh * g.dilationH - g.padH
                // The band's rows that read the input; those above and below read padding.
                let valid = validRange(offset: rowOffset, stride: g.strideH, inSize: g.height, outSize: g.outHeight)
                let lower = min(max(valid.lowerBound, band.lowerBound), band.upperBound)
                let rows = lower..<max(min(valid.upperBound, band.upperBound), lower)
                for kw in 0..<g.kernelWidth {
                    let colOffset = kw * g.dilationW - g.padW
                    let cols = validRange(offset: colOffset, stride: sw, inSize: width, outSize: outW)
                    if rows.lowerBound > band.lowerBound {
                        row.update(repeating: 0, count: (rows.lowerBound - band.lowerBound) * outW)
                    }
                    if g.strideH == 1 && sw == 1 && outW == width && !rows.isEmpty && !cols.isEmpty {
                        // "Same" width, stride 1: consecutive output rows read consecutive input
                        // rows, so the rows are one shifted copy; the columns it wrapped into the
                        // neighbouring row (the padding) are zeroed after.
                        let dst = row + (rows.lowerBound - band.lowerBound) * outW
                        let src = xc + (rows.lowerBound + rowOffset) * width + colOffset
                        let count = (rows.count - 1) * outW + cols.count
                        (dst + cols.lowerBound).update(from: src + cols.lowerBound, count: count)
                        for oh in 0..<rows.count {
                            for ow in 0..<cols.lowerBound { dst[oh * outW + ow] = 0 }
                            for ow in cols.upperBound..<outW { dst[oh * outW + ow] = 0 }
                        }
                    } else {
                        copyRows(rows, of: xc, rowOffset: rowOffset, colOffset: colOffset, cols: cols, g,
                                 into: row, firstRow: band.lowerBound)
                    }
                    if rows.upperBound < band.upperBound {
                        (row + (rows.upperBound - band.lowerBound) * outW)
                            .update(repeating: 0, count: (band.upperBound - rows.upperBound) * outW)
                    }
                    row += rowStride
                }
            }
        }
    }

    /// One patch-matrix row, output row by output row: `row[(oh − firstRow) · outW + ow]` for the
    /// valid `rows`, zero outside `cols`.
    @inline(__always)
    static func copyRows(_ rows: Range<Int>, of xc: UnsafePointer<Float>, rowOffset: Int, colOffset: Int,
                         cols: Range<Int>, _ g: Conv2DGeometry, into row: UnsafeMutablePointer<Float>, firstRow: Int) {
        let width = g.width, outW = g.outWidth, sw = g.strideW
        for oh in rows {
            let dst = row + (oh - firstRow) * outW
            let src = xc + (oh * g.strideH + rowOffset) * width + colOffset
            if cols.lowerBound > 0 { dst.update(repeating: 0, count: cols.lowerBound) }
            if sw == 1 {
                if !cols.isEmpty { (dst + cols.lowerBound).update(from: src + cols.lowerBound, count: cols.count) }
            } else {
                for ow in cols { dst[ow] = src[ow * sw] }
            }
            if cols.upperBound < outW { (dst + cols.upperBound).update(repeating: 0, count: outW - cols.upperBound) }
        }
    }

    /// The adjoint of `pack`: adds every patch-matrix element back onto the input position it
    /// was read from (`x += col2im(col)`); padding positions are dropped.
    static func unpackAdding(_ col: UnsafePointer<Float>, channels: Int, _ g: Conv2DGeometry, rowStride: Int,
                             into x: UnsafeMutablePointer<Float>) {
        let width = g.width, outW = g.outWidth, outH = g.outHeight
        let sw = g.strideW
        var row = col
        for c in 0..<channels {
            let xc = x + c * g.inputPlane
            for kh in 0..<g.kernelHeight {
                let rowOffset = kh * g.dilationH - g.padH
                let rows = validRange(offset: rowOffset, stride: g.strideH, inSize: g.height, outSize: outH)
                for kw in 0..<g.kernelWidth {
                    let colOffset = kw * g.dilationW - g.padW
                    let cols = validRange(offset: colOffset, stride: sw, inSize: width, outSize: outW)
                    for oh in rows {
                        let src = row + oh * outW
                        let dst = xc + (oh * g.strideH + rowOffset) * width + colOffset
                        if sw == 1 {
                            for ow in cols { dst[ow] += src[ow] }
                        } else {
                            for ow in cols { dst[ow * sw] += src[ow] }
                        }
                    }
                    row += rowStride
                }
            }
        }
    }
}
