import Foundation
import TestSupport
import Testing

/// `Tests/Fixtures/dicom/golden.json`, written by tools/fixtures/dicom_golden.py (pydicom 3.0.2).
struct DICOMGolden: Decodable {
    struct Entry: Decodable, CustomTestStringConvertible {
        let file: String
        let expect: String
        let transferSyntax: String?
        let syntaxName: String?
        let attributes: [String: String]?
        let rows: Int?
        let columns: Int?
        let frames: Int?
        let samplesPerPixel: Int?
        let jpeg: Bool?
        let sha256: String?
        let sampleIndices: [Int]?
        let sampleValues: [Double]?
        let min: Double?
        let max: Double?
        let mean: Double?
        var testDescription: String { file }
    }

    struct WindowCase: Decodable {
        let function: String
        let center: Double
        let width: Double
        let outputMaximum: Double
        let input: [Double]
        let output: [Double]
    }

    let synthetic: [Entry]
    let pydicomTestFiles: [Entry]
    let windowing: [WindowCase]

    static let shared: DICOMGolden = {
        do { return try Fixtures.json(DICOMGolden.self, "dicom/golden.json") } catch { fatalError("dicom golden: \(error)") }
    }()

    /// pydicom's test files as unpacked by `make setup` (git-ignored; not part of the repo).
    static let testFilesDirectory = Fixtures.repositoryRoot.appendingPathComponent("third_party/pydicom-test-files")
    static var testFilesInstalled: Bool {
        FileManager.default.fileExists(atPath: testFilesDirectory.appendingPathComponent("CT_small.dcm").path)
    }

    static func syntheticURL(_ name: String) -> URL { Fixtures.url("dicom/synthetic/" + name) }
}
