public import DICOM
import Foundation
import Imaging

/// What `triage inspect` reports about one file. Identifying attributes are present only when asked for.
public struct ImageSummary: Codable, Sendable, Equatable {
    public var file: String
    /// "PNG", "JPEG" or "DICOM".
    public var format: String
    public var width: Int?
    public var height: Int?
    /// Bits per sample as stored (DICOM: Bits Stored of Bits Allocated).
    public var bitDepth: Int?
    package var bitsAllocated: Int?
    public var channels: Int?
    /// DICOM photometric interpretation, or the PNG/JPEG colour model.
    package var photometricInterpretation: String?
    public var transferSyntax: String?
    package var transferSyntaxUID: String?
    /// Whether this reader can decode the pixels (DICOM: the transfer syntax is supported).
    package var decodable: Bool
    public var frames: Int?
    package var signed: Bool?
    package var windowCenter: Double?
    package var windowWidth: Double?
    package var voiFunction: String?
    package var rescaleSlope: Double?
    package var rescaleIntercept: Double?
    /// DICOM Modality (CR, DX, CT…) and View Position (PA, AP, LL…): what the scope checks read.
    package var modality: String?
    package var viewPosition: String?
    package var interlaced: Bool?
    package var progressive: Bool?
    package var exifOrientation: Int?
    package var patientIdentityRemoved: Bool?
    /// Keyword → value; only with `--show-phi`.
    package var identifying: [String: String]?

    /// The attributes `--show-phi` reveals.
    static let identifyingAttributes: [Tag] = [
        .patientName, .patientID, .patientBirthDate, .patientSex, .accessionNumber, .studyDate, .studyTime,
        .institutionName, .referringPhysicianName, .studyInstanceUID, .seriesInstanceUID, .sopInstanceUID,
    ]

    /// One line for people.
    public var text: String {
        var parts = [format]
        if let modality { parts.append(modality + (viewPosition.map { " \($0)" } ?? "")) }
        if let width, let height { parts.append("\(width)x\(height)") }
        if let bitDepth { parts.append(bitsAllocated.map { "\(bitDepth)/\($0)-bit" } ?? "\(bitDepth)-bit") }
        if let photometricInterpretation { parts.append(photometricInterpretation) }
        if let transferSyntax { parts.append(transferSyntax + (decodable ? "" : " (not decodable)")) }
        if let frames, format == "DICOM" { parts.append("\(frames) frame\(frames == 1 ? "" : "s")") }
        if let windowCenter, let windowWidth { parts.append("window \(fmt(windowCenter))/\(fmt(windowWidth))" + (voiFunction.map { " \($0)" } ?? "")) }
        if let rescaleSlope, let rescaleIntercept, rescaleSlope != 1 || rescaleIntercept != 0 {
            parts.append("rescale \(fmt(rescaleSlope))x\(rescaleIntercept < 0 ? "" : "+")\(fmt(rescaleIntercept))")
        }
        if progressive == true { parts.append("progressive") }
        if interlaced == true { parts.append("interlaced") }
        if let o = exifOrientation, o != 1 { parts.append("EXIF orientation \(o)") }
        if patientIdentityRemoved == true { parts.append("de-identified") }
        var line = "\(file): " + parts.joined(separator: ", ")
        if let identifying {
            for key in identifying.keys.sorted() { line += "\n  \(key): \(identifying[key]!)" }
        }
        return line
    }

    private func fmt(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(v) }
}
