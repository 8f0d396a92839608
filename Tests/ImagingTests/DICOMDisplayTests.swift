import DICOM
import Foundation
import Imaging
import TestSupport
import Testing

/// `DICOMImage.display(file)` (one table lookup per stored sample) gives exactly what the
/// general path `DICOMImage(file).display()` gives.
struct DICOMDisplayTests {
    struct Case: CustomStringConvertible {
        var bits = 16, stored = 12, signed = false, photometric = "MONOCHROME2", bigEndian = false
        var window: (center: String, width: String, function: String?)? = ("1024", "3600", nil)
        var rescale: (slope: String, intercept: String)? = ("1", "-1024")
        var description: String { "\(bits)/\(stored) signed \(signed) \(photometric) big-endian \(bigEndian) \(String(describing: window))" }
    }

    /// A 64 × 16 frame whose raw words cover the whole range (high bits above Bits Stored set too).
    static func file(_ c: Case) -> DICOMFile {
        let width = 64, height = 16
        var state: UInt64 = 11
        let words = (0..<(width * height)).map { i -> Int in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return i < 256 ? i * ((1 << c.bits) / 256) : Int(state >> 40) % (1 << c.bits)
        }
        func us(_ tag: DICOM.Tag, _ v: Int) -> DataElement {
            DataElement(tag: tag, vr: .US, value: .bytes(c.bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]))
        }
        var set = DataSet(bigEndian: c.bigEndian)
        set.setString(.modality, "DX", vr: .CS)
        set.setString(.photometricInterpretation, c.photometric, vr: .CS)
        set[.samplesPerPixel] = us(.samplesPerPixel, 1)
        set[.rows] = us(.rows, height)
        set[.columns] = us(.columns, width)
        set[.bitsAllocated] = us(.bitsAllocated, c.bits)
        set[.bitsStored] = us(.bitsStored, c.stored)
        set[.highBit] = us(.highBit, c.stored - 1)
        set[.pixelRepresentation] = us(.pixelRepresentation, c.signed ? 1 : 0)
        if let w = c.window {
            set.setString(.windowCenter, w.center, vr: .DS)
            set.setString(.windowWidth, w.width, vr: .DS)
            if let f = w.function { set.setString(.voilutFunction, f, vr: .CS) }
        }
        if let r = c.rescale {
            set.setString(.rescaleSlope, r.slope, vr: .DS)
            set.setString(.rescaleIntercept, r.intercept, vr: .DS)
        }
        let bytes = c.bits == 8 ? words.map { UInt8($0) }
            : words.flatMap { c.bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        set[.pixelData] = DataElement(tag: .pixelData, vr: c.bits == 8 ? .OB : .OW, value: .bytes(bytes))
        return DICOMFile(meta: DataSet(), dataSet: set, transferSyntax: c.bigEndian ? .explicitVRBigEndian : .explicitVRLittleEndian,
                         file: "case.dcm")
    }

    @Test func tableLookupGivesTheGeneralPathsValues() throws {
        let cases = [
            Case(),  // the benchmark's radiographs
            Case(photometric: "MONOCHROME1", window: ("40", "400", "LINEAR_EXACT"), rescale: ("2", "-1024")),
            Case(stored: 16, signed: true, window: ("-200", "1", nil)),
            Case(signed: true, window: ("0", "300", "SIGMOID"), rescale: ("0.5", "3")),
            Case(bigEndian: true),
            Case(bits: 8, stored: 8, window: ("128", "200", nil), rescale: nil),
            Case(bits: 8, stored: 7, signed: true, photometric: "MONOCHROME1", window: ("0", "100", nil)),
        ]
        for c in cases {
            let file = Self.file(c)
            let expected = try DICOMImage(file).display()
            #expect(try DICOMImage.display(file) == expected, "\(c)")
            #expect(try PixelDecoder(file).supportsLookup, "\(c)")
        }
    }

    @Test func otherImagesTakeTheGeneralPath() throws {
        let noWindow = Self.file(Case(window: nil))
        #expect(try DICOMImage.display(noWindow) == DICOMImage(noWindow).display())
        for name in ["signed8_rle.dcm", "signed12_implicit.dcm", "mono16_bigendian.dcm", "ybr_full_native.dcm"] {
            let file = try DICOMFile.read(contentsOf: Fixtures.url("dicom/synthetic/\(name)"))
            #expect(try DICOMImage.display(file) == DICOMImage(file).display(), "\(name)")
        }
        #expect(throws: DICOMError.self) { try DICOMImage.display(Self.file(Case()), frame: 1) }
        #expect(throws: DICOMError.self) { try DICOMImage.display(Self.file(Case()), limits: DecodeLimits(maxPixels: 100)) }
    }
}
