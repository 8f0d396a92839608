/// Why a DICOM file could not be read, decoded or written. Every case names the file.
package enum DICOMError: Error, CustomStringConvertible, Equatable {
    case io(file: String, reason: String)
    /// Not a DICOM Part 10 file (no DICM and nothing that parses as a data set).
    case notDICOM(file: String)
    /// Structural damage: truncation, lengths past the end, bad delimiters. `offset` is in the
    /// (inflated, for Deflated files) byte stream.
    case malformed(file: String, offset: Int, reason: String)
    /// The transfer syntax is valid DICOM but not decoded by this reader; the name says which.
    case unsupportedTransferSyntax(file: String, uid: String, name: String)
    /// The pixel description is unusable or a feature is not implemented.
    case unsupportedPixelData(file: String, reason: String)
    /// A required attribute is missing or has a bad value.
    case missingAttribute(file: String, tag: Tag, keyword: String)
    case invalidAttribute(file: String, tag: Tag, keyword: String, reason: String)
    /// The image is larger than the configured pixel limit; nothing was allocated.
    case tooLarge(file: String, rows: Int, columns: Int, frames: Int, limitPixels: Int)
    case frameOutOfRange(file: String, frame: Int, frames: Int)
    /// Compressed pixel data failed to decode.
    case corruptPixelData(file: String, frame: Int, reason: String)

    package var description: String {
        switch self {
        case .io(let f, let r): "\(f): \(r)"
        case .notDICOM(let f): "\(f): not a DICOM file"
        case .malformed(let f, let o, let r): "\(f): malformed DICOM at byte \(o): \(r)"
        case .unsupportedTransferSyntax(let f, let uid, let name):
            "\(f): unsupported transfer syntax \(name) (\(uid))"
        case .unsupportedPixelData(let f, let r): "\(f): unsupported pixel data: \(r)"
        case .missingAttribute(let f, let t, let k): "\(f): missing \(k) \(t)"
        case .invalidAttribute(let f, let t, let k, let r): "\(f): invalid \(k) \(t): \(r)"
        case .tooLarge(let f, let r, let c, let n, let l):
            "\(f): \(n) frame(s) of \(c)x\(r) pixels exceed the limit of \(l) pixels"
        case .frameOutOfRange(let f, let i, let n): "\(f): frame \(i) out of range (\(n) frame(s))"
        case .corruptPixelData(let f, let i, let r): "\(f): frame \(i): corrupt pixel data: \(r)"
        }
    }
}
