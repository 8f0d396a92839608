/// One gray plane whose rows are made on demand (a DICOM frame through its display lookup
/// table, `DICOMImage.displayRows`), so it can be resampled or reduced to a thumbnail a few
/// rows at a time, without a full-size float image: 2048² is 16 MB written and read again.
public struct RowSource: Sendable {
    public let width: Int, height: Int
    /// Writes samples `x ..< x + count` of row `y` to the pointer.
    public typealias Producer = @Sendable (_ y: Int, _ x: Int, _ count: Int, _ into: UnsafeMutablePointer<Float>) -> Void
    let produce: Producer

    public init(width: Int, height: Int, produce: @escaping Producer) {
        precondition(width > 0 && height > 0, "a \(width)x\(height) row source")
        self.width = width
        self.height = height
        self.produce = produce
    }

    /// Row `y`, columns `x ..< x + count`, into `out`.
    public func row(_ y: Int, from x: Int = 0, count: Int? = nil, into out: UnsafeMutablePointer<Float>) {
        let n = count ?? width - x
        precondition(y >= 0 && y < height && x >= 0 && n >= 0 && x + n <= width, "row \(y), columns \(x)+\(n) of \(width)x\(height)")
        produce(y, x, n, out)
    }

    /// The region `width × height` from (`left`, `top`), which must lie inside.
    package func cropped(left: Int, top: Int, width w: Int, height h: Int) -> RowSource {
        precondition(left >= 0 && top >= 0 && left + w <= width && top + h <= height, "crop outside the source")
        let produce = self.produce
        return RowSource(width: w, height: h) { y, x, n, out in produce(top + y, left + x, n, out) }
    }

    /// `Image.centerCropped` of the rows (the same offsets).
    public func centerCropped(width w: Int, height h: Int) -> RowSource {
        let left = Int((Double(width - w) / 2).rounded(.toNearestOrEven))
        let top = Int((Double(height - h) / 2).rounded(.toNearestOrEven))
        return cropped(left: left, top: top, width: w, height: h)
    }

    /// Every row, as a planar `.float32` gray image.
    public func image() -> Image {
        let samples = [Float](unsafeUninitializedCapacity: width * height) { out, n in
            for y in 0..<height { produce(y, 0, width, out.baseAddress! + y * width) }
            n = width * height
        }
        return Image(width: width, height: height, colorModel: .gray, samples: .float32(samples))
    }

    /// `image().resized(width:height:filter:)`, the same values, made eight rows at a time.
    /// - Parameter eachRow: called with every row (`width` samples), top to bottom, once each,
    ///   so another reduction (a thumbnail) can share the pass over the rows.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResizeFilter,
                        eachRow: (UnsafePointer<Float>) -> Void = { _ in }) -> Image {
        // Nearest, same width (a vertical-only resample, rare) and no change go through the whole image.
        guard filter != .nearest, newWidth != width else {
            let whole = image()
            whole.floatSamples!.withUnsafeBufferPointer { p in for y in 0..<height { eachRow(p.baseAddress! + y * width) } }
            return whole.resized(width: newWidth, height: newHeight, filter: filter)
        }
        let horizontal = ResampleCoefficients(inputSize: width, outputSize: newWidth, filter: filter)
        let vertical = ResampleCoefficients(inputSize: height, outputSize: newHeight, filter: filter)
        let out = ResampleFloat.resize(self, newWidth: newWidth, newHeight: newHeight, horizontal: horizontal,
                                       vertical: vertical, observe: eachRow)
        return Image(width: newWidth, height: newHeight, colorModel: .gray, samples: .float32(out))
    }
}
