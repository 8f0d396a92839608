import DICOM
import Foundation
import TestSupport
import Testing

/// Decoded pixels after the modality LUT against pydicom 3.0.2's `pixel_array` +
/// `apply_modality_lut`: exact (SHA-256 of the int32 values) for integer results, sampled
/// values within 1e-9 relative for float results, ±1 per sample for JPEG (different libjpeg
/// builds) when the digest differs; unsupported syntaxes give the named-syntax error.
struct PixelParityTests {
    /// Files pydicom reads leniently that this reader refuses with a typed error, with the reason.
    static let refused: [String: String] = [
        "rtplan_truncated.dcm": "truncated: pydicom keeps the elements before the cut, this reader names the cut element",
        "no_meta.dcm": "pydicom reads one garbage element (0820,0500) UN; this reader finds no data set",
        "meta_missing_tsyntax.dcm": """
            no Transfer Syntax UID, and the data set starts with element (0001,0001) of undefined length: \
            no encoding can be guessed from it (pydicom reads the elements but cannot decode the pixels)
            """,
    ]

    static func check(_ e: DICOMGolden.Entry, url: URL) throws {
        if refused[e.file] != nil {
            #expect(throws: DICOMError.self) { try DICOMFile.read(contentsOf: url) }
            return
        }
        switch e.expect {
        case "unsupported":
            let file = try DICOMFile.read(contentsOf: url)
            #expect(throws: DICOMError.unsupportedTransferSyntax(file: url.path, uid: e.transferSyntax ?? "",
                                                                  name: e.syntaxName ?? "")) {
                try PixelDecoder(file)
            }
        case "readError", "error":
            #expect(throws: DICOMError.self, "pydicom: error") {
                let file = try DICOMFile.read(contentsOf: url)
                _ = try PixelDecoder(file).allFrames()
            }
        case "noPixelData":
            let file = try DICOMFile.read(contentsOf: url)
            #expect(!file.dataSet.contains(.pixelData))
        case "pixels":
            let file = try DICOMFile.read(contentsOf: url)
            let decoder = try PixelDecoder(file)
            let pixels = try decoder.allFrames()
            #expect(pixels.rows == e.rows && pixels.columns == e.columns && pixels.frames == e.frames)
            let values: [Double] = pixels.samplesPerPixel == 1
                ? ModalityRescale(file.dataSet).apply(pixels)
                : (0..<pixels.values.count).map { Double(pixels.value(at: $0)) }
            let indices = try #require(e.sampleIndices), expected = try #require(e.sampleValues)
            try #require(indices.last.map { $0 < values.count } ?? true, "\(values.count) values")
            let tolerance = e.jpeg == true ? 1.0 : 0.0
            var digestMatches = false
            if let digest = e.sha256, values.allSatisfy({ $0 == $0.rounded() }) {
                var bytes = [UInt8]()
                bytes.reserveCapacity(values.count * 4)
                for v in values {
                    let i = Int32(truncatingIfNeeded: Int64(v))
                    for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: i >> (8 * Int32(k)))) }
                }
                digestMatches = SHA256.hex(bytes) == digest
                if tolerance == 0 { #expect(digestMatches, "SHA-256 of the int32 values differs from pydicom's") }
            } else if e.sha256 != nil {
                Issue.record("pydicom's values are integers, ours are not")
            }
            if !digestMatches {
                for (i, v) in zip(indices, expected) {
                    let allowed = max(tolerance, abs(v) * 1e-9)
                    #expect(abs(values[i] - v) <= allowed, "value \(i): \(values[i]) vs \(v)")
                }
                let mean = values.reduce(0, +) / Double(values.count)
                #expect(abs(mean - (e.mean ?? 0)) <= max(tolerance * 0.5, abs(e.mean ?? 0) * 1e-9))
            }
        default:
            Issue.record("unknown expectation \(e.expect)")
        }
    }

    @Test(arguments: DICOMGolden.shared.synthetic)
    func syntheticFilesMatchPydicom(_ e: DICOMGolden.Entry) throws {
        try Self.check(e, url: DICOMGolden.syntheticURL(e.file))
    }

    @Test(.enabled(if: DICOMGolden.testFilesInstalled,
                   "pydicom's test files are not installed: run `make setup` (unpacks them into third_party/pydicom-test-files)"),
          arguments: DICOMGolden.shared.pydicomTestFiles)
    func pydicomTestFilesMatchPydicom(_ e: DICOMGolden.Entry) throws {
        try Self.check(e, url: DICOMGolden.testFilesDirectory.appendingPathComponent(e.file))
    }

    @Test(.enabled(if: DICOMGolden.testFilesInstalled, "pydicom's test files are not installed: run `make setup`"),
          arguments: DICOMGolden.shared.pydicomTestFiles.filter { $0.attributes?.isEmpty == false })
    func attributesMatchPydicom(_ e: DICOMGolden.Entry) throws {
        let url = DICOMGolden.testFilesDirectory.appendingPathComponent(e.file)
        guard let file = try? DICOMFile.read(contentsOf: url) else {
            #expect(Self.refused[e.file] != nil || e.expect == "error" || e.expect == "readError", "unreadable")
            return
        }
        for (keyword, value) in e.attributes ?? [:] {
            let tag = try #require(DataDictionary.tag(forKeyword: keyword))
            let ours = file.dataSet.string(tag)
            if let d = Double(value), let o = ours.flatMap(Double.init) {
                #expect(abs(d - o) <= abs(d) * 1e-12, "\(keyword)")
            } else {
                #expect(ours == value, "\(keyword)")
            }
        }
    }
}
