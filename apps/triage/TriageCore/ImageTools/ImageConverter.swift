public import DICOM
public import Foundation
public import Imaging

/// Why a conversion request cannot be carried out (reported as a usage error by the CLI).
public enum ConversionError: Error, CustomStringConvertible, Equatable {
    case unsupportedOutput(file: String)
    case needsDICOMInput(file: String, reason: String)
    case invalidOption(String)
    /// A de-identified copy refused because identifying text may be burned into the pixels.
    case burnedInText(file: String, reason: String)

    public var description: String {
        switch self {
        case .burnedInText(let f, let r):
            "\(f): \(r); the pixels are copied unchanged, so the copy may still identify the patient (--accept-burned-in to export it anyway, audited)"
        case .unsupportedOutput(let f): "\(f): output must end in .png, .npy or .dcm"
        case .needsDICOMInput(let f, let r): "\(f): \(r)"
        case .invalidOption(let r): r
        }
    }
}

/// `triage convert`: one input to PNG (8-bit display values, or 16-bit stored values with `raw`),
/// NPY (float32 after the modality LUT, then resize) or a de-identified DICOM copy.
public struct ConversionOptions: Sendable {
    public var frame = 0
    public var resize: (width: Int, height: Int)?
    public var filter: ResizeFilter = .bilinear
    public var window: Window?
    public var raw = false
    public var deidentify = false
    /// Called with the reason before a de-identified copy whose pixels may hold burned-in text
    /// (`Deidentifier.burnedInTextRisk`) is written; it records the acceptance (throwing refuses).
    /// Nil: such a copy is refused with `ConversionError.burnedInText`.
    public var acceptBurnedIn: (@Sendable (_ file: String, _ reason: String) throws -> Void)?
    public var limits = DecodeLimits.default

    public init() {}
}

public struct ConversionReport: Sendable {
    public var width: Int
    public var height: Int
    public var format: String
    /// De-identification summary for `.dcm` outputs.
    public var deidentification: Deidentifier.Report?
}

public enum ImageConverter {
    public enum Output: String, Sendable { case png, npy, dcm }

    public static func outputKind(for url: URL) throws -> Output {
        guard let o = Output(rawValue: url.pathExtension.lowercased()) else { throw ConversionError.unsupportedOutput(file: url.path) }
        return o
    }

    public static func convert(_ input: URL, to output: URL, options: ConversionOptions,
                               rng: inout some RandomNumberGenerator) throws -> ConversionReport {
        let kind = try outputKind(for: output)
        let data = try ImageFile.readData(input)
        let name = input.path
        let format = ImageFormat.detect(data, file: name)
        if kind == .dcm {
            guard format == .dicom else { throw ConversionError.needsDICOMInput(file: name, reason: "a .dcm output needs a DICOM input") }
            guard options.deidentify else {
                throw ConversionError.invalidOption("writing DICOM is only for de-identified copies: add --deidentify")
            }
            guard options.resize == nil, options.window == nil, !options.raw else {
                throw ConversionError.invalidOption("--resize, --window and --raw do not apply to a .dcm copy")
            }
            var file = try DICOMFile.parse(data, file: name)
            if let reason = Deidentifier.burnedInTextRisk(file.dataSet) {
                guard let accept = options.acceptBurnedIn else { throw ConversionError.burnedInText(file: name, reason: reason) }
                try accept(name, reason)
            }
            var deidentifier = Deidentifier()
            let report = deidentifier.deidentify(&file, using: &rng)
            try DICOMWriter.write(file, to: output)
            return ConversionReport(width: file.dataSet.int(.columns) ?? 0, height: file.dataSet.int(.rows) ?? 0,
                                    format: "DICOM", deidentification: report)
        }
        if options.deidentify { throw ConversionError.invalidOption("--deidentify needs a .dcm output") }
        var image: Image
        switch format {
        case .dicom:
            let dicom = try DICOMImage(DICOMFile.parse(data, file: name), frame: options.frame, limits: options.limits)
            switch kind {
            case .npy: image = dicom.image
            case .png where options.raw: image = dicom.rawUInt16()
            default: image = dicom.display(window: options.window).scaled(by: 255)
            }
        case .png, .jpeg:
            guard options.frame == 0 else { throw ConversionError.invalidOption("--frame applies to DICOM inputs only") }
            var read = ImageReadOptions(limits: options.limits)
            if format == .jpeg, let r = options.resize { read.jpegMinimumSize = r }
            image = try ImageFile.decode(data, file: name, options: read)
            if let w = options.window, kind == .png {
                image = image.windowed(w, outputMaximum: 255)
            }
        case nil:
            throw ImagingError.unknownFormat(file: name)
        }
        if let size = options.resize {
            image = image.resized(width: size.width, height: size.height, filter: options.filter)
        }
        let bytes: Data
        switch kind {
        case .png:
            let out = (options.raw && image.bitDepth != 8) ? image.interleavedUInt16() : image.interleavedUInt8()
            bytes = try PNGCodec.encode(out, file: output.path)
        case .npy:
            let planar = image.planarFloat()
            let shape = image.channels == 1 ? [image.height, image.width] : [image.channels, image.height, image.width]
            bytes = NPYWriter.data(planar.floatSamples ?? [], shape: shape)
        case .dcm:
            preconditionFailure("handled above")
        }
        do { try bytes.write(to: output, options: .atomic) } catch {
            throw ImagingError.io(file: output.path, reason: "cannot write: \(error.localizedDescription)")
        }
        return ConversionReport(width: image.width, height: image.height, format: kind.rawValue.uppercased(), deidentification: nil)
    }
}
