import DICOM
import Foundation
import TestSupport
import Testing

/// Typed tag access, the generated dictionary, nested undefined-length sequences, writing.
struct DataSetTests {
    @Test func keywordsAndDictionary() {
        #expect(Tag.patientName == Tag(0x0010, 0x0010))
        #expect(Tag.patientName.keyword == "PatientName")
        #expect(DataDictionary.tag(forKeyword: "WindowCenter") == Tag(0x0028, 0x1050))
        #expect(DataDictionary.entry(for: .pixelData)?.vr == .OB)
        #expect(Tag(0x0009, 0x0010).isPrivate && Tag(0x0009, 0x0010).keyword == nil)
        #expect("\(Tag.sopInstanceUID)" == "(0008,0018)")
    }

    @Test func typedAccessReadsTextNumbersAndMultipleValues() throws {
        let file = try DICOMFile.read(contentsOf: DICOMGolden.syntheticURL("signed12_implicit.dcm"))
        let ds = file.dataSet
        #expect(file.transferSyntax == .implicitVRLittleEndian && file.hasPreamble)
        #expect(ds.string(.patientName) == "Doe^Jane")
        #expect(ds.int(.rows) == 12 && ds.int(.columns) == 16 && ds.int(.pixelRepresentation) == 1)
        #expect(ds.doubles(.windowCenter) == [40, 300] && ds.doubles(.windowWidth) == [400, 1500])
        #expect(ds.string(.voilutFunction) == "SIGMOID")
        #expect(ds.double(.rescaleSlope) == 2 && ds.double(.rescaleIntercept) == -1024)
        let reference = try #require(ds.sequence(.referencedImageSequence)?.first)
        #expect(reference.string(.referencedSOPInstanceUID) == ds.string(.sopInstanceUID))
        let window = try #require(VOIWindow(ds))
        #expect(window.center == 40 && window.width == 400 && window.function == "SIGMOID")
    }

    @Test func nestedUndefinedLengthSequencesAreRead() throws {
        let ds = try DICOMFile.read(contentsOf: DICOMGolden.syntheticURL("mono1_explicit_nested.dcm")).dataSet
        let items = try #require(ds.sequence(.requestAttributesSequence))
        #expect(items.count == 2 && items[1].isEmpty)
        #expect(items[0].string(.institutionName) == "Nested Hospital")
        #expect(items[0].sequence(.anatomicRegionSequence)?.first?.string(.codeMeaning) == "Chest")
        #expect(ds[.requestAttributesSequence]?.undefinedLength == true)
    }

    @Test(arguments: DICOMGolden.shared.synthetic.map(\.file))
    func writtenFilesReadBackWithTheSamePixels(_ name: String) throws {
        let original = try DICOMFile.read(contentsOf: DICOMGolden.syntheticURL(name))
        let copy = try DICOMFile.parse(try DICOMWriter.data(original), file: "copy.dcm")
        #expect(copy.transferSyntax == original.transferSyntax)
        #expect(copy.dataSet.tags == original.dataSet.tags)
        #expect(copy.dataSet.string(.patientName) == original.dataSet.string(.patientName))
        // The copy decodes to the same pixels, or fails with the same error as the original.
        switch (Result { try PixelDecoder(original).allFrames() }, Result { try PixelDecoder(copy).allFrames() }) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure(let a), .failure(let b)):
            // The same error, whichever file it names.
            func withoutFile(_ error: any Error) -> String { String("\(error)".drop { $0 != ":" }) }
            #expect(withoutFile(a) == withoutFile(b))
        case (let a, let b): Issue.record("original \(a), copy \(b)")
        }
    }
}
