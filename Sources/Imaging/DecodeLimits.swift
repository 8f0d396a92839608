/// Bounds checked against a file's declared size before any pixel memory is allocated.
///
/// Two bounds: the pixel count (any decode), and the bytes of the samples a whole decode holds
/// at once. An image over the byte bound is refused by `decode`; `ImageFile.decode` with
/// `ImageReadOptions.reduceToAtLeast` reads it reduced instead (JPEG by DCT scaling, PNG row by
/// row, see `PNGCodec.decodeReduced`), so memory stays bounded by bytes, not only by pixels.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest accepted width × height (default 50 megapixels).
    public var maxPixels: Int
    /// Largest sample buffer, in bytes, a whole decode allocates: width × height × channels ×
    /// bytes per sample of the decoded image, and for a progressive JPEG its coefficient buffer
    /// (estimated as width × height × components × 2 bytes). Default 128 MiB: a 50-megapixel
    /// 16-bit gray image or a 6000 × 7000 8-bit RGB one.
    public var maxDecodedBytes: Int

    public init(maxPixels: Int = 50_000_000, maxDecodedBytes: Int = 128 << 20) {
        self.maxPixels = maxPixels
        self.maxDecodedBytes = maxDecodedBytes
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

    /// Throws `ImagingError.tooManyBytes` when `bytes` exceeds `maxDecodedBytes`.
    func checkBytes(_ bytes: Int, width: Int, height: Int, file: String) throws {
        guard bytes <= maxDecodedBytes else {
            throw ImagingError.tooManyBytes(file: file, width: width, height: height, bytes: bytes, limitBytes: maxDecodedBytes)
        }
    }
}
