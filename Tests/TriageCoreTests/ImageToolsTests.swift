import DICOM
import Foundation
import Imaging
import TestSupport
import Testing
import TriageCore

/// `triage inspect` and `triage convert`: the core functions and the executable's exit codes.
struct ImageToolsTests {
    static let synthetic = Fixtures.url("dicom/synthetic")

    final class Recorder: IdentifyingDataAccess, @unchecked Sendable {
        var calls: [(String, [String])] = []
        func willReveal(file: String, attributes: [String]) throws { calls.append((file, attributes)) }
    }

    @Test func inspectDescribesDICOMAndHidesIdentifyingDataUnlessAsked() throws {
        let url = Self.synthetic.appendingPathComponent("signed12_implicit.dcm")
        let plain = try ImageInspector.inspect(url, label: "a.dcm")
        #expect(plain.format == "DICOM" && plain.width == 16 && plain.height == 12 && plain.bitDepth == 12)
        #expect(plain.transferSyntax == "Implicit VR Little Endian" && plain.decodable)
        #expect(plain.windowCenter == 40 && plain.windowWidth == 400 && plain.voiFunction == "SIGMOID")
        #expect(plain.identifying == nil && !plain.text.contains("Doe"))
        let recorder = Recorder()
        let revealed = try ImageInspector.inspect(url, label: "a.dcm", revealIdentifying: recorder)
        #expect(revealed.identifying?["PatientName"] == "Doe^Jane")
        #expect(recorder.calls.count == 1 && recorder.calls[0].0 == "a.dcm" && recorder.calls[0].1.contains("PatientID"))
    }

    /// The one-line output names modality and view position, what the scope checks read.
    @Test func inspectShowsModalityAndViewPosition() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try DemoInputs.write(to: dir, size: 32)
        let lateral = try ImageInspector.inspect(dir.appendingPathComponent("lateral.dcm"), label: "lateral.dcm")
        #expect(lateral.modality == "DX" && lateral.viewPosition == "LL")
        #expect(lateral.text.hasPrefix("lateral.dcm: DICOM, DX LL, 32x32"), "\(lateral.text)")
        let ct = try ImageInspector.inspect(dir.appendingPathComponent("ct-slice.dcm"), label: "ct.dcm")
        #expect(ct.text.hasPrefix("ct.dcm: DICOM, CT "), "\(ct.text)")
    }

    @Test func inspectNamesUnsupportedSyntaxAndReadsPNGAndJPEGHeaders() throws {
        let j2k = try ImageInspector.inspect(Self.synthetic.appendingPathComponent("jpeg2000_unsupported.dcm"))
        #expect(!j2k.decodable && j2k.transferSyntax == "JPEG 2000 Image Compression (Lossless Only)")
        let jpeg = try ImageInspector.inspect(Fixtures.url("imaging/jpeg/exif_orientation6.jpg"))
        #expect(jpeg.format == "JPEG" && jpeg.width == 23 && jpeg.height == 37 && jpeg.exifOrientation == 6)
        let png = try ImageInspector.inspect(Fixtures.url("imaging/png/gray16_adam7.png"))
        #expect(png.format == "PNG" && png.bitDepth == 16 && png.interlaced == true)
    }

    @Test func convertWritesWindowedPNGRawPNGAndNPY() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        let input = Self.synthetic.appendingPathComponent("signed12_implicit.dcm")
        var options = ConversionOptions()
        options.resize = (8, 6)
        options.filter = .bicubic
        let png = dir.appendingPathComponent("out.png")
        _ = try ImageConverter.convert(input, to: png, options: options, rng: &rng)
        let image = try PNGCodec.decode(Data(contentsOf: png), file: "out.png")
        #expect(image.width == 8 && image.height == 6 && image.bitDepth == 8 && image.colorModel == .gray)

        var raw = ConversionOptions()
        raw.raw = true
        let rawURL = dir.appendingPathComponent("raw.png")
        _ = try ImageConverter.convert(input, to: rawURL, options: raw, rng: &rng)
        let stored = try PNGCodec.decode(Data(contentsOf: rawURL), file: "raw.png")
        let file = try DICOMFile.read(contentsOf: input)
        let expected = try PixelDecoder(file).frame(0).values.map { UInt16($0 + 2048) }
        #expect(stored.uint16Samples == expected)

        let npy = dir.appendingPathComponent("out.npy")
        _ = try ImageConverter.convert(input, to: npy, options: ConversionOptions(), rng: &rng)
        let bytes = [UInt8](try Data(contentsOf: npy))
        #expect(bytes.starts(with: [0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f4'") && header.contains("'shape': (12, 16)"))
        #expect((10 + headerLength) % 64 == 0 && bytes.count == 10 + headerLength + 12 * 16 * 4)
        let first = Float(bitPattern: UInt32(bytes[10 + headerLength]) | UInt32(bytes[11 + headerLength]) << 8
                          | UInt32(bytes[12 + headerLength]) << 16 | UInt32(bytes[13 + headerLength]) << 24)
        let modality = ModalityRescale(file.dataSet).apply(try PixelDecoder(file).frame(0))
        #expect(Double(first) == modality[0])
    }

    @Test func convertDeidentifiesACopyAndRefusesMismatchedRequests() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        let input = Self.synthetic.appendingPathComponent("ybr422_jpeg_2frames.dcm")
        var options = ConversionOptions()
        options.deidentify = true
        let out = dir.appendingPathComponent("copy.dcm")
        let report = try ImageConverter.convert(input, to: out, options: options, rng: &rng)
        #expect(report.deidentification != nil)
        let copy = try DICOMFile.read(contentsOf: out)
        #expect(copy.dataSet.string(.patientName) == "" && copy.dataSet.string(.patientIdentityRemoved) == "YES")
        #expect(try PixelDecoder(copy).allFrames() == PixelDecoder(DICOMFile.read(contentsOf: input)).allFrames())
        #expect(throws: ConversionError.self) {
            try ImageConverter.convert(Fixtures.url("imaging/png/rgb8.png"), to: out, options: options, rng: &rng)
        }
        #expect(throws: ConversionError.unsupportedOutput(file: dir.appendingPathComponent("x.gif").path)) {
            try ImageConverter.convert(input, to: dir.appendingPathComponent("x.gif"), options: ConversionOptions(), rng: &rng)
        }
    }

    @Test func executableExitCodes() throws {
        let dicom = Self.synthetic.appendingPathComponent("signed12_implicit.dcm").path
        let ok = try CommandRunner.run("triage", ["inspect", "--json", dicom])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("\"transferSyntax\":\"Implicit VR Little Endian\"") && !ok.stdout.contains("Doe"))
        // --show-phi needs the audit trail: refused without keys, recorded with them.
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let refused = try CommandRunner.run("triage", ["inspect", "--show-phi", "--home", home.path, dicom])
        #expect(refused.status == 2 && refused.stderr.contains("triage keys init") && !refused.stdout.contains("Doe"))
        #expect(try CommandRunner.run("triage", ["keys", "init", "--home", home.path]).status == 0)
        let phi = try CommandRunner.run("triage", ["inspect", "--show-phi", "--home", home.path, dicom])
        #expect(phi.status == 0 && phi.stdout.contains("Doe^Jane"), "\(phi.stderr)")
        let audit = try CommandRunner.run("triage", ["audit", "show", "--action", "record.read", "--json", "--home", home.path])
        #expect(audit.stdout.contains("\"objectType\":\"file\"") && !audit.stdout.contains(dicom))
        let partial = try CommandRunner.run("triage", ["inspect", dicom, "/nonexistent/x.dcm"])
        #expect(partial.status == 3 && partial.stderr.contains("/nonexistent/x.dcm"))
        let failed = try CommandRunner.run("triage", ["inspect", "/nonexistent/x.dcm"])
        #expect(failed.status == 1)
        let usage = try CommandRunner.run("triage", ["convert", dicom, "/tmp/x.dcm"])
        #expect(usage.status == 2 && usage.stderr.contains("--deidentify"))
        let badResize = try CommandRunner.run("triage", ["convert", dicom, "/tmp/x.png", "--resize", "0x2"])
        #expect(badResize.status == 2)
        let unsupported = try CommandRunner.run("triage", ["convert", Self.synthetic.appendingPathComponent("jpeg2000_unsupported.dcm").path,
                                                           "/tmp/never.png"])
        #expect(unsupported.status == 1 && unsupported.stderr.contains("unsupported transfer syntax JPEG 2000"))
    }
}
