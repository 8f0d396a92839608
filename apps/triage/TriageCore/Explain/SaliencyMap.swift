/// A class activation map brought to image resolution and scaled to 0…1: what drove the
/// decision, where.
struct SaliencyMap {
    /// `height` × `width` values in 0…1, row-major; 0 outside `region`.
    let values: [Float]
    let width: Int
    let height: Int

    /// Bilinear upsampling of `map` onto `region` of a `width` × `height` image with pixel
    /// centres aligned (PyTorch's `interpolate(mode="bilinear", align_corners=False)`: output
    /// pixel x samples map position (x + ½)·w/W − ½, clamped at the borders). Negative values
    /// (evidence against the decision) become 0, then the map is divided by its maximum (a map
    /// with no positive value stays all zeros), as Grad-CAM does.
    init(_ map: ActivationMap, width: Int, height: Int, region: ImageRegion) {
        precondition(region.x + region.width <= width && region.y + region.height <= height, "region outside the image")
        let w = map.width, h = map.height
        func axis(_ out: Int, _ size: Int) -> [(Int, Int, Float)] {
            (0..<out).map { o in
                let p = min(max((Float(o) + 0.5) * Float(size) / Float(out) - 0.5, 0), Float(size - 1))
                let i = min(Int(p), size - 1)
                return (i, min(i + 1, size - 1), p - Float(i))
            }
        }
        let xs = axis(region.width, w), ys = axis(region.height, h)
        var out = [Float](repeating: 0, count: width * height)
        map.values.withUnsafeBufferPointer { v in
            for (y, (y0, y1, fy)) in ys.enumerated() {
                let row = (region.y + y) * width + region.x
                for (x, (x0, x1, fx)) in xs.enumerated() {
                    let top = v[y0 * w + x0] * (1 - fx) + v[y0 * w + x1] * fx
                    let bottom = v[y1 * w + x0] * (1 - fx) + v[y1 * w + x1] * fx
                    out[row + x] = max(0, top * (1 - fy) + bottom * fy)
                }
            }
        }
        let peak = out.max() ?? 0
        if peak > 0 { for i in out.indices { out[i] /= peak } }
        values = out
        self.width = width
        self.height = height
    }

    /// Indices of the `fraction` (0…1) most salient pixels (ties broken by index).
    func mostSalient(fraction: Double) -> [Int] {
        let count = Int((Double(values.count) * fraction).rounded(.up))
        return Array(values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(count))
    }
}
