import DICOM
public import Foundation

/// Options for reading any supported file.
public struct ImageReadOptions: Sendable {
    public var limits: DecodeLimits
    /// DICOM frame to read (0-based).
    public var frame: Int
    /// JPEG: decode with DCT scaling when the result stays at least this large.
    public var jpegMinimumSize: (width: Int, height: Int)?
    /// PNG: when set, a file whose whole decode would exceed `limits.maxDecodedBytes` is read row
    /// by row and box-reduced to at least this size (`PNGCodec.decodeReduced`) instead of refused.
    public var reduceToAtLeast: (width: Int, height: Int)?

    public init(limits: DecodeLimits = .default, frame: Int = 0, jpegMinimumSize: (width: Int, height: Int)? = nil,
                reduceToAtLeast: (width: Int, height: Int)? = nil) {
        self.limits = limits
        self.frame = frame
        self.jpegMinimumSize = jpegMinimumSize
        self.reduceToAtLeast = reduceToAtLeast
    }
}

/// Reads PNG, JPEG or DICOM by content. Errors are `ImagingError` or `DICOMError`, each naming the file.
public enum ImageFile {
    /// - Returns: PNG/JPEG: the decoded integer image; DICOM: the frame after the modality LUT
    ///   (planar float, see `DICOMImage`).
    public static func decode(_ data: Data, file: String, options: ImageReadOptions = .init()) throws -> Image {
        switch ImageFormat.detect(data, file: file) {
        case .png: return try PNGCodec.decode(data, file: file, limits: options.limits, reducingTo: options.reduceToAtLeast)
        case .jpeg:
            return try JPEGCodec.decode(data, file: file, options: JPEGDecodeOptions(minimumSize: options.jpegMinimumSize),
                                        limits: options.limits)
        case .dicom:
            return try DICOMImage(DICOMFile.parse(data, file: file), frame: options.frame, limits: options.limits).image
        case nil: throw ImagingError.unknownFormat(file: file)
        }
    }

    public static func read(contentsOf url: URL, options: ImageReadOptions = .init()) throws -> Image {
        try decode(try readData(url), file: url.path, options: options)
    }

    /// The file's bytes, or `ImagingError.io` naming it.
    public static func readData(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw ImagingError.io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}
