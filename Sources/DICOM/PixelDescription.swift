/// The Image Pixel module attributes that say how to read Pixel Data (PS3.3 C.7.6.3).
public struct PixelDescription: Sendable, Equatable {
    public let rows: Int
    package let columns: Int
    package let samplesPerPixel: Int
    package let bitsAllocated: Int
    package let bitsStored: Int
    /// Pixel Representation 1: two's complement samples.
    package let signed: Bool
    /// e.g. "MONOCHROME2", "RGB", "YBR_FULL_422".
    public let photometricInterpretation: String
    /// 0: colour-by-pixel (R G B R G B…), 1: colour-by-plane.
    package let planarConfiguration: Int
    public let frames: Int

    package var isMonochrome: Bool { photometricInterpretation.hasPrefix("MONOCHROME") }
    package var pixelsPerFrame: Int { rows * columns }

    /// Reads and validates the description from a data set.
    public init(_ ds: DataSet, file: String) throws {
        func required(_ tag: Tag, _ keyword: String) throws -> Int {
            guard ds.contains(tag) else { throw DICOMError.missingAttribute(file: file, tag: tag, keyword: keyword) }
            guard let v = ds.int(tag) else {
                throw DICOMError.invalidAttribute(file: file, tag: tag, keyword: keyword, reason: "not a number")
            }
            return v
        }
        rows = try required(.rows, "Rows")
        columns = try required(.columns, "Columns")
        bitsAllocated = try required(.bitsAllocated, "BitsAllocated")
        samplesPerPixel = ds.int(.samplesPerPixel) ?? 1
        bitsStored = ds.int(.bitsStored) ?? bitsAllocated
        signed = (ds.int(.pixelRepresentation) ?? 0) == 1
        photometricInterpretation = ds.string(.photometricInterpretation)
            ?? (samplesPerPixel == 1 ? "MONOCHROME2" : "RGB")
        planarConfiguration = ds.int(.planarConfiguration) ?? 0
        if ds.contains(.numberOfFrames), ds.int(.numberOfFrames) == nil, ds.string(.numberOfFrames)?.isEmpty == false {
            throw DICOMError.invalidAttribute(file: file, tag: .numberOfFrames, keyword: "NumberOfFrames",
                                              reason: "'\(ds.string(.numberOfFrames) ?? "")' is not an integer")
        }
        frames = max(1, ds.int(.numberOfFrames) ?? 1)
        guard rows > 0, columns > 0 else {
            throw DICOMError.invalidAttribute(file: file, tag: .rows, keyword: "Rows/Columns", reason: "\(columns)x\(rows)")
        }
        guard [1, 8, 16, 32].contains(bitsAllocated), bitsAllocated != 1 || samplesPerPixel == 1 else {
            throw DICOMError.unsupportedPixelData(
                file: file, reason: "Bits Allocated \(bitsAllocated) with \(samplesPerPixel) samples (1, 8, 16 or 32 supported)")
        }
        guard bitsStored >= 1, bitsStored <= bitsAllocated else {
            throw DICOMError.invalidAttribute(file: file, tag: .bitsStored, keyword: "BitsStored",
                                              reason: "\(bitsStored) with Bits Allocated \(bitsAllocated)")
        }
        guard samplesPerPixel == 1 || samplesPerPixel == 3 else {
            throw DICOMError.unsupportedPixelData(file: file, reason: "Samples per Pixel \(samplesPerPixel)")
        }
        guard frames <= 1 << 20 else {
            throw DICOMError.invalidAttribute(file: file, tag: .numberOfFrames, keyword: "NumberOfFrames", reason: "\(frames)")
        }
        if ["YBR_ICT", "YBR_RCT", "YBR_PARTIAL_420", "YBR_PARTIAL_422"].contains(photometricInterpretation)
            && samplesPerPixel == 1 {
            throw DICOMError.unsupportedPixelData(file: file, reason: "Photometric Interpretation \(photometricInterpretation)")
        }
    }
}
