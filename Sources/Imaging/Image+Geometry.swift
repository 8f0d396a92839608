extension Image {
    /// The `width` × `height` region whose top-left corner is (`x`, `y`); the region must lie inside the image.
    package func cropped(x: Int, y: Int, width cw: Int, height ch: Int) -> Image {
        precondition(x >= 0 && y >= 0 && cw > 0 && ch > 0 && x + cw <= width && y + ch <= height,
                     "crop \(cw)x\(ch)+\(x)+\(y) outside \(width)x\(height)")
        return placed(into: cw, ch, offsetX: -x, offsetY: -y, fill: 0)
    }

    /// The central `width` × `height` region (torchvision's CenterCrop rounding); a size larger
    /// than the image pads with zeros around it.
    public func centerCropped(width cw: Int, height ch: Int) -> Image {
        precondition(cw > 0 && ch > 0, "crop to \(cw)x\(ch)")
        let left = Int((Double(width - cw) / 2).rounded(.toNearestOrEven))
        let top = Int((Double(height - ch) / 2).rounded(.toNearestOrEven))
        return placed(into: cw, ch, offsetX: -left, offsetY: -top, fill: 0)
    }

    /// The image with borders of `fill` added (counts in pixels, ≥ 0).
    package func padded(left: Int, top: Int, right: Int, bottom: Int, fill: Float = 0) -> Image {
        precondition(left >= 0 && top >= 0 && right >= 0 && bottom >= 0, "negative padding")
        return placed(into: width + left + right, height + top + bottom, offsetX: left, offsetY: top, fill: fill)
    }

    /// The image centred on a square canvas of its longer side, filled with `fill`.
    package func paddedToSquare(fill: Float = 0) -> Image {
        let side = max(width, height)
        let left = (side - width) / 2, top = (side - height) / 2
        return padded(left: left, top: top, right: side - width - left, bottom: side - height - top, fill: fill)
    }

    /// Copies this image onto a `nw` × `nh` canvas of `fill` with its origin at (offsetX, offsetY).
    private func placed(into nw: Int, _ nh: Int, offsetX: Int, offsetY: Int, fill: Float) -> Image {
        let c = channels, w = width, h = height
        let x0 = max(0, offsetX), x1 = min(nw, offsetX + w)
        let y0 = max(0, offsetY), y1 = min(nh, offsetY + h)
        func copy<T>(_ a: [T], fill: T, planar: Bool) -> [T] {
            var out = [T](repeating: fill, count: nw * nh * c)
            guard x0 < x1, y0 < y1 else { return out }
            out.withUnsafeMutableBufferPointer { dst in
                a.withUnsafeBufferPointer { src in
                    if planar {
                        for p in 0..<c {
                            for y in y0..<y1 {
                                let s = p * w * h + (y - offsetY) * w - offsetX, d = p * nw * nh + y * nw
                                for x in x0..<x1 { dst[d + x] = src[s + x] }
                            }
                        }
                    } else {
                        for y in y0..<y1 {
                            let s = ((y - offsetY) * w - offsetX) * c, d = y * nw * c
                            for i in (x0 * c)..<(x1 * c) { dst[d + i] = src[s + i] }
                        }
                    }
                }
            }
            return out
        }
        let samples: Samples
        switch self.samples {
        case .uint8(let a): samples = .uint8(copy(a, fill: UInt8(clamping: Int(fill.rounded())), planar: false))
        case .uint16(let a): samples = .uint16(copy(a, fill: UInt16(clamping: Int(fill.rounded())), planar: false))
        case .float32(let a): samples = .float32(copy(a, fill: fill, planar: true))
        }
        return Image(width: nw, height: nh, colorModel: colorModel, samples: samples)
    }
}
