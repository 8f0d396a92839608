/// Bounds checked against a file's declared size before any pixel memory is allocated.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest accepted width × height (default 50 megapixels).
    public var maxPixels: Int

    public init(maxPixels: Int = 50_000_000) {
        self.maxPixels = maxPixels
    }

    public static let `default` = DecodeLimits()

    /// Throws unless `width` × `height` is positive and within `maxPixels`.
    func check(width: Int, height: Int, file: String) throws {
        guard width > 0, height > 0 else { throw ImagingError.invalidDimensions(file: file, width: width, height: height) }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw ImagingError.tooLarge(file: file, width: width, height: height, limitPixels: maxPixels)
        }
    }
}
