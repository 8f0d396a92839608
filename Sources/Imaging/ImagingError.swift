/// Why an image could not be read, decoded, processed or written. Every case names the file
/// (or the caller's label for in-memory data).
public enum ImagingError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read or written.
    case io(file: String, reason: String)
    /// The bytes are not a PNG, JPEG or DICOM file.
    case unknownFormat(file: String)
    /// The decoder rejected the data (truncated, corrupt, wrong magic).
    case corrupt(file: String, format: String, reason: String)
    /// Width or height is zero, or their product overflows.
    case invalidDimensions(file: String, width: Int, height: Int)
    /// The declared image is larger than the configured limit; nothing was allocated.
    case tooLarge(file: String, width: Int, height: Int, limitPixels: Int)
    /// Decoding the image whole would hold more sample bytes (`bytes`) than the configured
    /// limit (`DecodeLimits.maxDecodedBytes`) and it cannot be read reduced; nothing was allocated.
    case tooManyBytes(file: String, width: Int, height: Int, bytes: Int, limitBytes: Int)
    /// The file is valid but uses a feature this reader does not implement.
    case unsupported(file: String, reason: String)
    /// The image cannot be written in the requested format.
    case encodeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case .io(let file, let reason): "\(file): \(reason)"
        case .unknownFormat(let file): "\(file): not a PNG, JPEG or DICOM file"
        case .corrupt(let file, let format, let reason): "\(file): corrupt \(format): \(reason)"
        case .invalidDimensions(let file, let w, let h): "\(file): invalid image size \(w)x\(h)"
        case .tooLarge(let file, let w, let h, let limit):
            "\(file): image of \(w)x\(h) pixels exceeds the limit of \(limit) pixels"
        case .tooManyBytes(let file, let w, let h, let bytes, let limit):
            "\(file): decoding the \(w)x\(h) image whole needs \(bytes) bytes of samples, over the limit of \(limit) bytes"
        case .unsupported(let file, let reason): "\(file): \(reason)"
        case .encodeFailed(let file, let reason): "\(file): cannot encode: \(reason)"
        }
    }
}
