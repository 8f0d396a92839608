import DICOM
public import Foundation
import Imaging

/// Reads what a file declares without decoding its pixels (`triage inspect`).
public enum ImageInspector {
    /// - Parameter access: called before identifying attributes are revealed; nil means they are not shown.
    public static func inspect(_ url: URL, label: String? = nil, revealIdentifying access: (any IdentifyingDataAccess)? = nil)
        throws -> ImageSummary {
        let name = label ?? url.path
        let data = try ImageFile.readData(url)
        switch ImageFormat.detect(data, file: name) {
        case .png:
            let info = try PNGCodec.readInfo(data, file: name)
            return ImageSummary(file: name, format: "PNG", width: info.width, height: info.height, bitDepth: info.bitDepth,
                                channels: info.colorModel.channels, photometricInterpretation: info.colorModel.rawValue,
                                decodable: true, frames: 1, interlaced: info.interlaced)
        case .jpeg:
            let info = try JPEGCodec.readInfo(data, file: name)
            let (w, h) = info.orientation.swapsAxes ? (info.height, info.width) : (info.width, info.height)
            return ImageSummary(file: name, format: "JPEG", width: w, height: h, bitDepth: info.precision,
                                channels: info.components, photometricInterpretation: info.colorSpace,
                                decodable: info.precision == 8, frames: 1, progressive: info.progressive,
                                exifOrientation: info.orientation.rawValue)
        case .dicom:
            let file = try DICOMFile.parse(data, file: name)
            return try summary(of: file, name: name, access: access)
        case nil:
            throw ImagingError.unknownFormat(file: name)
        }
    }

    static func summary(of file: DICOMFile, name: String, access: (any IdentifyingDataAccess)?) throws -> ImageSummary {
        let ds = file.dataSet
        let syntax = file.transferSyntax
        var s = ImageSummary(file: name, format: "DICOM", decodable: ds.contains(.pixelData) && syntax.pixelEncoding != .unsupported)
        s.transferSyntax = syntax.name
        s.transferSyntaxUID = syntax.uid
        s.width = ds.int(.columns)
        s.height = ds.int(.rows)
        s.bitsAllocated = ds.int(.bitsAllocated)
        s.bitDepth = ds.int(.bitsStored) ?? s.bitsAllocated
        s.channels = ds.int(.samplesPerPixel)
        s.photometricInterpretation = ds.string(.photometricInterpretation)
        s.frames = ds.contains(.pixelData) ? max(1, ds.int(.numberOfFrames) ?? 1) : 0
        s.signed = ds.int(.pixelRepresentation).map { $0 == 1 }
        if let w = VOIWindow(ds) {
            s.windowCenter = w.center
            s.windowWidth = w.width
            s.voiFunction = w.function
        }
        s.rescaleSlope = ds.double(.rescaleSlope)
        s.rescaleIntercept = ds.double(.rescaleIntercept)
        s.modality = ds.string(.modality)
        s.viewPosition = ds.string(.viewPosition).flatMap { $0.isEmpty ? nil : $0 }
        s.patientIdentityRemoved = ds.string(.patientIdentityRemoved).map { $0.uppercased() == "YES" }
        if let access {
            var shown: [String: String] = [:]
            for tag in ImageSummary.identifyingAttributes {
                if let v = ds.string(tag), let k = tag.keyword { shown[k] = v }
            }
            try access.willReveal(file: name, attributes: shown.keys.sorted())
            s.identifying = shown
        }
        return s
    }
}
