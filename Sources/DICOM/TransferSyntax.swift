/// A transfer syntax: how the data set and the pixel data are encoded.
public struct TransferSyntax: Sendable, Equatable {
    public enum PixelEncoding: Sendable, Equatable {
        case native, rle, jpegBaseline
        /// Valid but not decoded here (JPEG 2000, JPEG-LS, JPEG Lossless, video...).
        case unsupported
    }

    public let uid: String
    public let name: String
    let explicitVR: Bool
    let bigEndian: Bool
    let deflated: Bool
    public let pixelEncoding: PixelEncoding

    var isEncapsulated: Bool { pixelEncoding != .native }

    package static let implicitVRLittleEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2", name: "Implicit VR Little Endian", explicitVR: false, bigEndian: false, deflated: false,
        pixelEncoding: .native)
    public static let explicitVRLittleEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2.1", name: "Explicit VR Little Endian", explicitVR: true, bigEndian: false, deflated: false,
        pixelEncoding: .native)
    package static let explicitVRBigEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2.2", name: "Explicit VR Big Endian", explicitVR: true, bigEndian: true, deflated: false,
        pixelEncoding: .native)
    static let deflatedExplicitVRLittleEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2.1.99", name: "Deflated Explicit VR Little Endian", explicitVR: true, bigEndian: false,
        deflated: true, pixelEncoding: .native)
    static let rleLossless = TransferSyntax(
        uid: "1.2.840.10008.1.2.5", name: "RLE Lossless", explicitVR: true, bigEndian: false, deflated: false,
        pixelEncoding: .rle)
    static let jpegBaseline = TransferSyntax(
        uid: "1.2.840.10008.1.2.4.50", name: "JPEG Baseline (Process 1)", explicitVR: true, bigEndian: false,
        deflated: false, pixelEncoding: .jpegBaseline)

    /// Encapsulated syntaxes this reader names but does not decode (names as in PS3.6 Annex A).
    static let unsupportedNames: [String: String] = [
        "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 and 4)",
        "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
        "1.2.840.10008.1.2.4.70": "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])",
        "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless Image Compression",
        "1.2.840.10008.1.2.4.81": "JPEG-LS Lossy (Near-Lossless) Image Compression",
        "1.2.840.10008.1.2.4.90": "JPEG 2000 Image Compression (Lossless Only)",
        "1.2.840.10008.1.2.4.91": "JPEG 2000 Image Compression",
        "1.2.840.10008.1.2.4.92": "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)",
        "1.2.840.10008.1.2.4.93": "JPEG 2000 Part 2 Multi-component Image Compression",
        "1.2.840.10008.1.2.4.94": "JPIP Referenced",
        "1.2.840.10008.1.2.4.95": "JPIP Referenced Deflate",
        "1.2.840.10008.1.2.4.100": "MPEG2 Main Profile / Main Level",
        "1.2.840.10008.1.2.4.101": "MPEG2 Main Profile / High Level",
        "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264 High Profile",
        "1.2.840.10008.1.2.4.103": "MPEG-4 AVC/H.264 BD-compatible High Profile",
        "1.2.840.10008.1.2.4.104": "MPEG-4 AVC/H.264 High Profile For 2D Video",
        "1.2.840.10008.1.2.4.105": "MPEG-4 AVC/H.264 High Profile For 3D Video",
        "1.2.840.10008.1.2.4.106": "MPEG-4 AVC/H.264 Stereo High Profile",
        "1.2.840.10008.1.2.4.107": "HEVC/H.265 Main Profile",
        "1.2.840.10008.1.2.4.108": "HEVC/H.265 Main 10 Profile",
        "1.2.840.10008.1.2.4.110": "JPEG XL Lossless",
        "1.2.840.10008.1.2.4.111": "JPEG XL JPEG Recompression",
        "1.2.840.10008.1.2.4.112": "JPEG XL",
        "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 Lossless",
        "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Options Lossless",
        "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
        "1.2.840.10008.1.2.8.1": "SMPTE ST 2110-20 Uncompressed Progressive Active Video",
    ]

    /// The syntax for a UID (trailing NUL/space padding removed). Unknown UIDs are treated as
    /// encapsulated Explicit VR Little Endian, whose pixel data is refused with the UID.
    static func forUID(_ raw: String) -> TransferSyntax {
        let uid = raw.trimmingCharacters(in: [" ", "\0"])
        for known in [implicitVRLittleEndian, explicitVRLittleEndian, explicitVRBigEndian, deflatedExplicitVRLittleEndian,
                      rleLossless, jpegBaseline] where known.uid == uid {
            return known
        }
        return TransferSyntax(uid: uid, name: unsupportedNames[uid] ?? "unknown transfer syntax", explicitVR: true,
                              bigEndian: false, deflated: false, pixelEncoding: .unsupported)
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
