import CJPEG

/// Decodes Pixel Data frames of native, RLE Lossless and JPEG Baseline transfer syntaxes.
/// Everything about size is checked against the description and the pixel limit before
/// allocation; compressed data that does not match its description is an error.
public struct PixelDecoder: Sendable {
    public let description: PixelDescription
    public let transferSyntax: TransferSyntax
    let file: String
    let element: DataElement
    let bigEndian: Bool

    /// - Parameter maxPixels: largest rows × columns × frames accepted (default 50 megapixels per frame
    ///   times frames is not allowed to exceed 16× that).
    public init(_ dicom: DICOMFile, maxPixels: Int = 50_000_000) throws {
        file = dicom.file
        transferSyntax = dicom.transferSyntax
        guard let pixels = dicom.dataSet[.pixelData] else {
            throw DICOMError.missingAttribute(file: file, tag: .pixelData, keyword: "PixelData")
        }
        if transferSyntax.pixelEncoding == .unsupported {
            throw DICOMError.unsupportedTransferSyntax(file: file, uid: transferSyntax.uid, name: transferSyntax.name)
        }
        description = try PixelDescription(dicom.dataSet, file: file)
        let d = description
        let (perFrame, o1) = d.rows.multipliedReportingOverflow(by: d.columns)
        let (total, o2) = perFrame.multipliedReportingOverflow(by: d.frames)
        guard !o1, !o2, perFrame <= maxPixels, total <= maxPixels * 16 else {
            throw DICOMError.tooLarge(file: file, rows: d.rows, columns: d.columns, frames: d.frames, limitPixels: maxPixels)
        }
        element = pixels
        bigEndian = dicom.transferSyntax.bigEndian
        switch (transferSyntax.isEncapsulated, pixels.value) {
        case (false, .bytes(let b)):
            let needed = d.bitsAllocated == 1 ? (d.pixelsPerFrame * d.frames + 7) / 8 : frameBytes * d.frames
            guard b.count >= needed else {
                throw DICOMError.malformed(file: file, offset: 0,
                                           reason: "Pixel Data holds \(b.count) bytes; \(d.frames) frame(s) need \(needed)")
            }
        case (true, .fragments(let f)):
            guard f.count >= 2 else { throw DICOMError.corruptPixelData(file: file, frame: 0, reason: "no fragments") }
        case (false, _):
            throw DICOMError.malformed(file: file, offset: 0, reason: "native Pixel Data is encapsulated")
        case (true, _):
            throw DICOMError.malformed(file: file, offset: 0, reason: "\(transferSyntax.name) Pixel Data is not encapsulated")
        }
        if transferSyntax.isEncapsulated && d.bitsAllocated == 1 {
            throw DICOMError.unsupportedPixelData(file: file, reason: "compressed 1-bit data")
        }
        if transferSyntax.pixelEncoding == .jpegBaseline && d.bitsAllocated != 8 {
            throw DICOMError.unsupportedPixelData(file: file, reason: "JPEG Baseline with Bits Allocated \(d.bitsAllocated)")
        }
    }

    /// Bytes of one native frame (YBR_FULL_422 stores two samples per pixel).
    var frameBytes: Int {
        let d = description
        let samples = d.photometricInterpretation == "YBR_FULL_422" && !transferSyntax.isEncapsulated ? 2 : d.samplesPerPixel
        return d.rows * d.columns * samples * (d.bitsAllocated / 8)
    }

    /// Decodes frame `index` (0-based).
    /// - Parameter toRGB: convert YBR_FULL/YBR_FULL_422 to RGB (pydicom's `as_rgb`).
    /// - Returns: `[rows, columns, samplesPerPixel]` samples.
    public func frame(_ index: Int, toRGB: Bool = true) throws -> PixelArray {
        let d = description
        guard index >= 0 && index < d.frames else { throw DICOMError.frameOutOfRange(file: file, frame: index, frames: d.frames) }
        var values: [Int32]
        var photometric = d.photometricInterpretation
        switch transferSyntax.pixelEncoding {
        case .native where d.bitsAllocated == 1:
            values = NativePixels.unpackBits(element.bytes, firstBit: index * d.pixelsPerFrame, count: d.pixelsPerFrame)
        case .native:
            let raw = element.bytes
            let start = index * frameBytes
            // One byte more when available: 8-bit data in a big-endian OW value is read by 16-bit
            // words, so an odd-sized frame needs its pad byte (pydicom's SC_rgb_small_odd_big_endian.dcm).
            let end = min(raw.count, start + frameBytes + 1)
            values = raw.withUnsafeBufferPointer { buffer in
                NativePixels.decode(UnsafeBufferPointer(rebasing: buffer[start..<end]), description: d,
                                        bigEndian: bigEndian, vr: element.vr, file: file)
            }
            if photometric == "YBR_FULL_422" { photometric = "YBR_FULL" }
        case .rle:
            let data = try frameData(index)
            let bytes = try RLEDecoder.decode(data, description: d, file: file, frame: index)
            values = bytes.withUnsafeBufferPointer {
                NativePixels.decode($0, description: d, bigEndian: false, vr: .OB, file: file, planar: true)
            }
        case .jpegBaseline:
            let data = try frameData(index)
            let decoded = try JPEGFrameDecoder.decode(data, description: d, file: file, frame: index)
            values = decoded.values
            photometric = decoded.photometric
        case .unsupported:
            throw DICOMError.unsupportedTransferSyntax(file: file, uid: transferSyntax.uid, name: transferSyntax.name)
        }
        NativePixels.correctUnusedBits(&values, description: d)
        if toRGB && d.samplesPerPixel == 3 && (photometric == "YBR_FULL" || photometric == "YBR_FULL_422") {
            ColorSpace.ybrFullToRGB(&values, bitsAllocated: d.bitsAllocated)
            photometric = "RGB"
        }
        return PixelArray(rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel, frames: 1,
                          photometricInterpretation: photometric, unsigned32: d.bitsAllocated == 32 && !d.signed,
                          values: values)
    }

    /// All frames, concatenated.
    /// - Returns: `[frames, rows, columns, samplesPerPixel]`.
    package func allFrames(toRGB: Bool = true) throws -> PixelArray {
        var values: [Int32] = []
        values.reserveCapacity(description.pixelsPerFrame * description.samplesPerPixel * description.frames)
        var photometric = description.photometricInterpretation
        for i in 0..<description.frames {
            let f = try frame(i, toRGB: toRGB)
            values.append(contentsOf: f.values)
            photometric = f.photometricInterpretation
        }
        return PixelArray(rows: description.rows, columns: description.columns, samplesPerPixel: description.samplesPerPixel,
                          frames: description.frames, photometricInterpretation: photometric,
                          unsigned32: description.bitsAllocated == 32 && !description.signed, values: values)
    }

    /// The compressed bytes of one frame: one fragment per frame when counts match, the Basic
    /// Offset Table when present, all fragments for a single frame, else JPEG frames split at SOI.
    func frameData(_ index: Int) throws -> [UInt8] {
        guard case .fragments(let items) = element.value else { return [] }
        let offsetTable = items[0], fragments = Array(items.dropFirst())
        let frames = description.frames
        if frames == 1 { return fragments.count == 1 ? fragments[0] : Array(fragments.joined()) }
        if fragments.count == frames { return fragments[index] }
        if offsetTable.count >= 4 * frames {
            let offsets = (0..<frames).map { i in
                (0..<4).reduce(0) { $0 | Int(offsetTable[4 * i + $1]) << (8 * $1) }
            }
            // Fragment k starts at 8 bytes of item header per fragment plus preceding fragment bytes.
            var position = 0
            var out: [UInt8] = []
            let end = index + 1 < frames ? offsets[index + 1] : Int.max
            for f in fragments {
                if position >= offsets[index] && position < end { out.append(contentsOf: f) }
                position += 8 + f.count
            }
            if !out.isEmpty { return out }
        }
        if transferSyntax.pixelEncoding == .jpegBaseline {
            var starts: [Int] = []
            for (k, f) in fragments.enumerated() where f.count >= 2 && f[0] == 0xFF && f[1] == 0xD8 { starts.append(k) }
            if starts.count == frames {
                let end = index + 1 < frames ? starts[index + 1] : fragments.count
                return Array(fragments[starts[index]..<end].joined())
            }
        }
        throw DICOMError.corruptPixelData(file: file, frame: index,
                                          reason: "\(fragments.count) fragments cannot be split into \(frames) frames")
    }
}
