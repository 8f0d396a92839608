import DICOM
import Foundation
import TestSupport
import Testing

/// PS3.15 Basic Profile de-identification on the synthetic files (the whole table: ConfidentialityProfileTests).
struct DeidentifierTests {
    struct Counter: RandomNumberGenerator {
        var state: UInt64 = 1
        mutating func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; return state }
    }

    @Test func removesOrEmptiesIdentifyingAttributesAndRemapsUIDsConsistently() throws {
        var file = try DICOMFile.read(contentsOf: DICOMGolden.syntheticURL("signed12_implicit.dcm"))
        let before = file.dataSet
        let pixels = try PixelDecoder(file).allFrames()
        var deid = Deidentifier()
        var rng = Counter()
        let report = deid.deidentify(&file, using: &rng)
        let written = try DICOMFile.parse(try DICOMWriter.data(file), file: "deid.dcm")
        let ds = written.dataSet
        for tag in [Tag.patientName, .patientBirthDate, .accessionNumber, .studyDate, .referringPhysicianName] {
            #expect(ds.contains(tag) && ds.string(tag) == "", "\(tag) must be present and empty (Z)")
        }
        for tag in [Tag.patientID, .institutionName] {
            #expect(ds.string(tag) == "DEIDENTIFIED", "\(tag) must hold the dummy (D, X/Z/D)")
        }
        #expect(!ds.contains(.studyDescription), "X: removed")
        #expect(ds.string(.patientIdentityRemoved) == "YES")
        #expect(ds.string(.deidentificationMethod) == Deidentifier.methodDescription)
        #expect(ds.sequence(.deidentificationMethodCodeSequence)?.first?.string(.codeValue) == "113100")
        let sop = try #require(ds.string(.sopInstanceUID))
        #expect(sop != before.string(.sopInstanceUID) && sop.hasPrefix("2.25."))
        #expect(ds.sequence(.referencedImageSequence)?.first?.string(.referencedSOPInstanceUID) == sop)
        #expect(written.meta.string(.mediaStorageSOPInstanceUID) == sop)
        #expect(ds.string(.studyInstanceUID) != before.string(.studyInstanceUID))
        #expect(ds.string(.sopClassUID) == before.string(.sopClassUID), "class UIDs are not identifying")
        #expect(try PixelDecoder(written).allFrames() == pixels)
        #expect(report.uidsReplaced >= 5 && !report.burnedInAnnotation)
        // The same study de-identified again through the same Deidentifier keeps its new UIDs.
        var again = try DICOMFile.read(contentsOf: DICOMGolden.syntheticURL("signed12_implicit.dcm"))
        deid.deidentify(&again, using: &rng)
        #expect(again.dataSet.string(.studyInstanceUID) == ds.string(.studyInstanceUID))
    }

    @Test func nestedItemsAndPrivateTagsAreCleaned() throws {
        var file = try DICOMFile.read(contentsOf: DICOMGolden.syntheticURL("mono1_explicit_nested.dcm"))
        file.dataSet[Tag(0x0009, 0x0010)] = DataElement(tag: Tag(0x0009, 0x0010), vr: .LO, value: .bytes(Array("ACME".utf8)))
        var deid = Deidentifier()
        var rng = Counter()
        let report = deid.deidentify(&file, using: &rng)
        #expect(!file.dataSet.contains(Tag(0x0009, 0x0010)) && report.privateRemoved == 1)
        #expect(!file.dataSet.contains(.requestAttributesSequence))
    }

    @Test func uidDecimalIs128BitExact() {
        #expect(Deidentifier.decimal(high: 0, low: 0) == "0")
        #expect(Deidentifier.decimal(high: 1, low: 0) == "18446744073709551616")
        #expect(Deidentifier.decimal(high: .max, low: .max) == "340282366920938463463374607431768211455")
    }
}
