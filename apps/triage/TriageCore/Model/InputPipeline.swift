package import DICOM
public import Foundation
public import Imaging
public import ModelRuntime

/// An image made ready for the model, with what the tools around the score need.
public struct PreparedInput: Sendable {
    /// The model input `[channels, height, width]` (the spec's input size, normalised).
    public let tensor: Tensor
    public let format: ImageFormat
    /// The parsed file when DICOM (identity fields, modality, view).
    let dicom: DICOMFile?
    /// The gray source image at decoded resolution: `.uint8`/`.uint16` as decoded (PNG, JPEG)
    /// or planar `.float32` display values in 0…1 (DICOM after its VOI window).
    let gray: Image

    /// The image as display gray levels 0…1 (planar `.float32`, one channel), at decoded resolution.
    var display: Image { Self.unitRange(gray) }

    /// 8-bit / 255, 16-bit / 65535, floats as they are.
    static func unitRange(_ image: Image) -> Image {
        switch image.samples {
        case .uint8: image.scaled(by: 1 / 255)
        case .uint16: image.scaled(by: 1 / 65535)
        case .float32: image
        }
    }
}

extension TriageModel {
    /// Decodes PNG, JPEG or DICOM bytes and makes the model input (see `InputPipeline.prepare`),
    /// refusing what the input gate's cheap checks (`InputChecks.standard`) refuse.
    public func prepare(_ data: Data, file: String, limits: DecodeLimits = .default,
                        fullResolution: Bool = false) throws -> PreparedInput {
        try InputPipeline(spec.input, checks: .standard).prepare(data, file: file, limits: limits,
                                                                 fullResolution: fullResolution)
    }

    /// The model input with a thumbnail in place of the gray image (see `InputPipeline.prepareWithThumbnail`),
    /// gated as `prepare`.
    public func prepareWithThumbnail(_ data: Data, file: String, limits: DecodeLimits = .default) throws -> PreparedInput {
        try InputPipeline(spec.input, checks: .standard).prepareWithThumbnail(data, file: file, limits: limits)
    }
}

/// How a file becomes a model input, from the spec's `input` section alone (training uses it
/// before any weights exist).
package struct InputPipeline: Sendable {
    package let input: TriageModelSpec.Input
    /// The input gate's cheap checks on the decoded image (nil: none, as for training and evaluation).
    let checks: InputChecks?

    package init(_ input: TriageModelSpec.Input, checks: InputChecks? = nil) {
        self.input = input
        self.checks = checks
    }

    /// DICOM modalities the model may score: projection radiography.
    static let radiographModalities: Set<String> = ["CR", "DX", "DR", "RG"]
    /// DICOM View Position values of lateral and decubitus views (the model is frontal only).
    static let lateralViews: Set<String> = ["LL", "RL", "LATERAL", "LAT", "LLD", "RLD"]

    /// Decodes PNG, JPEG or DICOM bytes and makes the model input.
    ///
    /// Grey levels go to 0…1 (DICOM through its first VOI window, MONOCHROME1 inverted), the
    /// centre square is cropped (spec `input.crop`), the image is resized to the input size with
    /// the spec's filter (8-bit images in 8-bit, as Pillow), then normalised with mean/std.
    ///
    /// - Parameters:
    ///   - fullResolution: decode JPEGs at full size (for heatmaps over the original); otherwise
    ///     they are decoded with DCT scaling to no less than twice the input size.
    /// - Throws: `NotAssessable` for inputs outside the model's scope (colour images,
    ///   non-monochrome DICOM, modalities other than projection radiography, lateral views,
    ///   and with `checks` images they refuse as `out_of_distribution`);
    ///   `ImagingError`/`DICOMError` for unreadable files, each naming `file`.
    package func prepare(_ data: Data, file: String, limits: DecodeLimits = .default,
                        fullResolution: Bool = false) throws -> PreparedInput {
        let decoded = try decode(data, file: file, limits: limits, fullResolution: fullResolution)
        try checks?.check(decoded.gray)
        return PreparedInput(tensor: normalized(unitInput(decoded.gray)), format: decoded.format, dicom: decoded.dicom,
                             gray: decoded.gray)
    }

    /// `prepare` for batch work: the model input, with `Thumbnail.make` of the gray image in
    /// place of the image itself. A DICOM frame that `DICOMImage.displayRows` can read is
    /// resized and reduced from its rows and never made at full size (2048²: 16 MB of floats);
    /// the tensor and the thumbnail are those of `prepare`.
    package func prepareWithThumbnail(_ data: Data, file: String, limits: DecodeLimits = .default) throws -> PreparedInput {
        let decoded = try decodeSource(data, file: file, limits: limits, fullResolution: false)
        switch decoded.gray {
        case .image(let gray):
            let thumbnail = Thumbnail.make(gray)
            try checked(thumbnail) { try checks?.check(gray) }
            return PreparedInput(tensor: normalized(unitInput(gray)), format: decoded.format, dicom: decoded.dicom,
                                 gray: thumbnail)
        case .rows(let rows) where needsCrop(width: rows.width, height: rows.height):
            // The thumbnail shows the whole image, the model the cropped square: two passes.
            // Rows are never held at full size: the grey statistics are the thumbnail's.
            let thumbnail = Thumbnail.make(rows)
            try checked(thumbnail) { try checks?.check(width: rows.width, height: rows.height) { GreyStatistics(thumbnail) } }
            return PreparedInput(tensor: normalized(unitInput(rows)), format: decoded.format, dicom: decoded.dicom,
                                 gray: thumbnail)
        case .rows(let rows):
            // One pass over the rows for both the model input and the thumbnail.
            var builder = ThumbnailBuilder(width: rows.width, height: rows.height)
            let unit = rows.resized(width: input.width, height: input.height, filter: filter, eachRow: { builder.add($0) })
            let thumbnail = builder.image()
            try checked(thumbnail) { try checks?.check(width: rows.width, height: rows.height) { GreyStatistics(thumbnail) } }
            return PreparedInput(tensor: normalized(unit), format: decoded.format, dicom: decoded.dicom, gray: thumbnail)
        }
    }

    /// Runs the gate's cheap `checks`; a refusal carries `thumbnail`, so a batch need not decode the image again.
    private func checked(_ thumbnail: Image, _ checks: () throws -> Void) throws {
        do { try checks() } catch var refusal as NotAssessable {
            refusal.thumbnail = thumbnail
            throw refusal
        }
    }

    /// The scope checks and decoding of `prepare`, without the resize: the gray image at
    /// decoded resolution (see `PreparedInput.gray`).
    package func decode(_ data: Data, file: String, limits: DecodeLimits = .default, fullResolution: Bool = false)
        throws -> (gray: Image, format: ImageFormat, dicom: DICOMFile?) {
        let decoded = try decodeSource(data, file: file, limits: limits, fullResolution: fullResolution)
        switch decoded.gray {
        case .image(let gray): return (gray, decoded.format, decoded.dicom)
        case .rows(let rows): return (rows.image(), decoded.format, decoded.dicom)
        }
    }

    /// Decoded gray: an image, or (DICOM on the lookup path) its rows.
    enum DecodedGray {
        case image(Image)
        case rows(RowSource)
    }

    /// `decode`, leaving a DICOM frame on the lookup path as rows.
    func decodeSource(_ data: Data, file: String, limits: DecodeLimits, fullResolution: Bool)
        throws -> (gray: DecodedGray, format: ImageFormat, dicom: DICOMFile?) {
        guard let format = ImageFormat.detect(data, file: file) else { throw ImagingError.unknownFormat(file: file) }
        let gray: DecodedGray
        var dicom: DICOMFile?
        switch format {
        case .dicom:
            let parsed = try DICOMFile.parse(data, file: file)
            try Self.checkScope(parsed)
            let pixels = try PixelDecoder(parsed, maxPixels: limits.maxPixels).description
            let photometric = pixels.photometricInterpretation
            guard pixels.samplesPerPixel == 1, pixels.isMonochrome else {
                throw NotAssessable(reason: "unsupported_photometry",
                                    detail: "photometric interpretation \(photometric); the model reads MONOCHROME1/2 radiographs")
            }
            if let rows = try DICOMImage.displayRows(parsed, frame: 0, limits: limits) {
                gray = .rows(rows)
            } else {
                gray = .image(try DICOMImage(parsed, frame: 0, limits: limits).display())  // `display`'s general path
            }
            dicom = parsed
        case .png, .jpeg:
            let minimum = fullResolution ? nil : (width: 2 * input.width, height: 2 * input.height)
            // PNGs too large to decode whole (`limits.maxDecodedBytes`) are box-reduced row by row
            // while decoding, to four times the input: half the error of twice (docs/IMAGING.md, "Memory").
            let image = try ImageFile.decode(data, file: file, options: ImageReadOptions(
                limits: limits, jpegMinimumSize: minimum, reduceToAtLeast: (4 * input.width, 4 * input.height)))
            if image.colorModel == .rgb || image.colorModel == .rgba {
                let spread = Self.colourfulness(image)
                guard spread <= 0.03 else {
                    throw NotAssessable(reason: "unsupported_photometry",
                                        detail: String(format: "a colour image (mean channel spread %.3f); the model reads grey radiographs", spread))
                }
            }
            gray = .image(image.grayscale())
        }
        return (gray, format, dicom)
    }

    /// `unitInput(rows.image())`, the same values, from the rows (gray levels 0…1).
    /// - Returns: planar `.float32`, one channel, `input.width` × `input.height`.
    func unitInput(_ rows: RowSource) -> Image {
        var source = rows
        if needsCrop(width: rows.width, height: rows.height) {
            let side = min(rows.width, rows.height)
            source = rows.centerCropped(width: side, height: side)
        }
        return source.resized(width: input.width, height: input.height, filter: filter)
    }

    /// Whether the spec crops an image of this size (the centre square of a non-square one).
    func needsCrop(width: Int, height: Int) -> Bool { input.crop == .centerSquare && width != height }

    /// The spec's resize filter.
    var filter: ResizeFilter { input.resize }

    /// Crops and resizes a gray image (any sample type) to the input size, grey levels in 0…1.
    /// - Returns: planar `.float32`, one channel, `input.width` × `input.height`.
    func unitInput(_ gray: Image) -> Image {
        var image = gray
        if needsCrop(width: image.width, height: image.height) {
            let side = min(image.width, image.height)
            image = image.centerCropped(width: side, height: side)
        }
        let resized = image.resized(width: input.width, height: input.height, filter: filter)
        // A 16-bit resize returns floats in 0…65535: scale by the source's depth.
        switch (gray.samples, resized.samples) {
        case (.uint16, .float32): return resized.scaled(by: 1 / 65535)
        default: return PreparedInput.unitRange(resized)
        }
    }

    /// `(v − mean) / std` as the model input.
    /// - Returns: `[channels, height, width]`
    package func normalized(_ unit: Image) -> Tensor {
        unit.normalized(mean: input.mean, std: input.std).tensor()
    }

    /// Refuses DICOM files whose attributes say they are not frontal radiographs.
    static func checkScope(_ file: DICOMFile) throws {
        if let modality = file.dataSet.string(.modality)?.uppercased(), !modality.isEmpty,
           !radiographModalities.contains(modality) {
            throw NotAssessable(reason: "not_radiograph",
                                detail: "modality \(modality); the model reads projection radiographs (CR, DX)")
        }
        if let view = file.dataSet.string(.viewPosition)?.uppercased(), lateralViews.contains(view) {
            throw NotAssessable(reason: "lateral_view", detail: "view position \(view); the model reads frontal (PA/AP) views")
        }
    }

    /// Mean absolute difference between colour channels, in 0…1 of the sample range (0 for grey stored as RGB).
    /// Reads the interleaved samples where they are (a float copy of a large image would be 4 bytes a sample).
    static func colourfulness(_ image: Image) -> Double {
        func spread<T: BinaryInteger>(_ a: [T], maximum: Double) -> Double {
            let n = image.pixelCount, c = image.channels
            let step = max(1, n / 65536)
            var sum = 0.0, count = 0
            for i in stride(from: 0, to: n, by: step) {
                let r = Float(a[i * c]), g = Float(a[i * c + 1]), b = Float(a[i * c + 2])
                sum += Double(abs(r - g) + abs(g - b))
                count += 1
            }
            return sum / Double(max(count, 1)) / 2 / maximum
        }
        switch image.samples {
        case .uint8(let a): return spread(a, maximum: 255)
        case .uint16(let a): return spread(a, maximum: 65535)
        case .float32: return 0
        }
    }
}
