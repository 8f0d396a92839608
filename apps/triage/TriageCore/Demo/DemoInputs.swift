import DICOM
public import Foundation
import Imaging
import ModelRuntime

/// The demo's inputs, made by the project itself: synthetic chest phantoms (`ChestPhantom`) as
/// 8- and 16-bit PNG and 16-bit DICOM (MONOCHROME2 and MONOCHROME1), plus files the model must
/// refuse (a lateral view, a CT slice, an RGB DICOM) or the batch must skip or report (a text
/// file, a truncated PNG). The DICOM files carry made-up identities (`PHANTOM^…`, `SYN-…`) so
/// sealing and de-identification can be seen at work. Nothing here is a clinical image.
public enum DemoInputs {
    public struct Written: Sendable, Equatable {
        public let file: String
        /// What the file is there to show.
        public let purpose: String
    }

    /// Writes the demo set into `directory` (created if needed); the same seed writes the same bytes.
    /// - Parameter size: width and height of each phantom, in pixels.
    @discardableResult
    public static func write(to directory: URL, size: Int = 256, seed: UInt64 = 2026) throws -> [Written] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: seed, stream: "demo-inputs")
        var written: [Written] = []
        func save(_ name: String, _ data: Data, _ purpose: String) throws {
            try data.write(to: directory.appendingPathComponent(name))
            written.append(Written(file: name, purpose: purpose))
        }
        let cases: [(String, Double, Bool)] = [("clear", 0, true), ("faint", 0.35, false), ("dense", 0.9, true), ("patchy", 0.6, false)]
        for (index, (name, opacity, right)) in cases.enumerated() {
            let pixels = ChestPhantom(opacity: opacity, rightLung: right).render(size: size, generator: &generator)
            let description = opacity == 0 ? "phantom, clear lungs" : "phantom, \(name) opacity"
            switch index % 2 {
            case 0: try save("chest-\(name).png", try png8(pixels, size: size), "8-bit PNG \(description)")
            default: try save("chest-\(name)-16bit.png", try png16(pixels, size: size), "16-bit PNG \(description)")
            }
            var d = DICOMPhantom(pixels: pixels, size: size, patient: "PHANTOM^\(name.uppercased())", patientID: "SYN-\(1000 + index)")
            d.monochrome1 = index == 3
            try save("chest-\(name).dcm", try d.data(generator: &generator),
                     "16-bit DICOM \(d.monochrome1 ? "MONOCHROME1" : "MONOCHROME2") \(description)")
        }
        let side = ChestPhantom(opacity: 0).render(size: size, generator: &generator)
        var lateral = DICOMPhantom(pixels: side, size: size, patient: "PHANTOM^LATERAL", patientID: "SYN-2001")
        lateral.viewPosition = "LL"
        try save("lateral.dcm", try lateral.data(generator: &generator), "lateral view: not assessable (lateral_view)")
        var ct = DICOMPhantom(pixels: side, size: size, patient: "PHANTOM^CT", patientID: "SYN-2002")
        ct.modality = "CT"
        try save("ct-slice.dcm", try ct.data(generator: &generator), "CT modality: not assessable (not_radiograph)")
        var rgb = DICOMPhantom(pixels: side, size: size, patient: "PHANTOM^RGB", patientID: "SYN-2003")
        rgb.rgb = true
        try save("colour-photo.dcm", try rgb.data(generator: &generator), "RGB DICOM: not assessable (unsupported_photometry)")
        try save("README.txt", Data("Synthetic demo inputs written by `triage demo-inputs`; not clinical images.\n".utf8),
                 "not an image: skipped")
        let whole = try png8(side, size: size)
        try save("truncated.png", whole.prefix(whole.count / 2), "truncated PNG: reported as failed")
        return written
    }

    /// Wraps each 8-bit gray square PNG of `radiographs` as a Digital X-Ray DICOM file
    /// (`radiograph-NAME.dcm` in `directory`) with a made-up identity (`DEMO^NAME`), so the demo can
    /// send real radiographs over DICOM. The pixels are kept (8-bit values scaled to 12 bits).
    @discardableResult
    public static func wrapRadiographs(_ radiographs: URL, into directory: URL, seed: UInt64 = 2026) throws -> [Written] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: seed, stream: "demo-radiographs")
        var written: [Written] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: radiographs.path).filter { $0.hasSuffix(".png") }.sorted()
        for (index, name) in names.enumerated() {
            let url = radiographs.appendingPathComponent(name)
            let image = try PNGCodec.decode(try Data(contentsOf: url), file: url.path)
            guard image.width == image.height, image.colorModel == .gray, case .uint8(let samples) = image.samples else {
                throw InputError.unreadable(input: url.path, reason: "not an 8-bit gray square PNG")
            }
            let stem = String(name.dropLast(4))
            let dicom = DICOMPhantom(pixels: samples.map { Float($0) / 255 }, size: image.width, patient: "DEMO^\(stem.uppercased())",
                                     patientID: "DEMO-\(3000 + index)")
            let file = "radiograph-\(stem).dcm"
            try dicom.data(generator: &generator).write(to: directory.appendingPathComponent(file))
            written.append(Written(file: file, purpose: "\(name) as Digital X-Ray DICOM, made-up identity"))
        }
        return written
    }

    static func png8(_ pixels: [Float], size: Int) throws -> Data {
        try PNGCodec.encode(Image(width: size, height: size, colorModel: .gray,
                                  samples: .uint8(pixels.map { UInt8(($0 * 255).rounded()) })))
    }

    static func png16(_ pixels: [Float], size: Int) throws -> Data {
        try PNGCodec.encode(Image(width: size, height: size, colorModel: .gray,
                                  samples: .uint16(pixels.map { UInt16(($0 * 65535).rounded()) })))
    }
}
