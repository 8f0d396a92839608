public import Foundation

/// The container formats the suite reads, recognised by their magic bytes.
public enum ImageFormat: String, Sendable, Equatable {
    case png = "PNG", jpeg = "JPEG", dicom = "DICOM"

    /// Sniffs the format from the first bytes; DICOM without a preamble is recognised by the
    /// file extension `.dcm` only (its first bytes are an arbitrary tag).
    public static func detect(_ data: Data, file: String) -> ImageFormat? {
        let b = data.prefix(132)
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if b.count == 132, b.suffix(4).elementsEqual("DICM".utf8) { return .dicom }
        if file.lowercased().hasSuffix(".dcm") || file.lowercased().hasSuffix(".dicom") { return .dicom }
        return nil
    }
}
