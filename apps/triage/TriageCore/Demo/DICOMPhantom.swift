import DICOM
package import Foundation

/// A phantom as a Part 10 file (Explicit VR Little Endian, written by `DICOMWriter`): 12 bits
/// stored in 16, window 2048/4096, Digital X-Ray SOP class, or RGB 8-bit when `rgb`. The demo
/// inputs use it, and the tests of `triage serve` send studies made of it.
package struct DICOMPhantom {
    /// Display values 0…1, row-major, `size` × `size`.
    let pixels: [Float]
    let size: Int
    let patient: String
    let patientID: String
    var modality = "DX"
    var viewPosition = "PA"
    var monochrome1 = false
    var rgb = false
    /// The study it belongs to (a new random UID when nil).
    package var studyInstanceUID: String?

    package init(pixels: [Float], size: Int, patient: String, patientID: String) {
        self.pixels = pixels
        self.size = size
        self.patient = patient
        self.patientID = patientID
    }

    package func data(generator: inout some RandomNumberGenerator) throws -> Data {
        let sopClass = modality == "CT" ? "1.2.840.10008.5.1.4.1.1.2" : "1.2.840.10008.5.1.4.1.1.1.1"
        let instance = Self.uid(&generator)
        var set = DataSet()
        set.setString(.sopClassUID, sopClass, vr: .UI)
        set.setString(.sopInstanceUID, instance, vr: .UI)
        set.setString(.accessionNumber, "ACC-\(patientID)", vr: .SH)
        set.setString(.modality, modality, vr: .CS)
        set.setString(.patientName, patient, vr: .PN)
        set.setString(.patientID, patientID, vr: .LO)
        set.setString(.patientBirthDate, "19700101", vr: .DA)
        set.setString(.bodyPartExamined, "CHEST", vr: .CS)
        set.setString(.viewPosition, viewPosition, vr: .CS)
        set.setString(.studyInstanceUID, studyInstanceUID ?? Self.uid(&generator), vr: .UI)
        set.setString(.seriesInstanceUID, Self.uid(&generator), vr: .UI)
        set[.samplesPerPixel] = Self.us(.samplesPerPixel, rgb ? 3 : 1)
        set.setString(.photometricInterpretation, rgb ? "RGB" : monochrome1 ? "MONOCHROME1" : "MONOCHROME2", vr: .CS)
        set[.rows] = Self.us(.rows, size)
        set[.columns] = Self.us(.columns, size)
        set[.bitsAllocated] = Self.us(.bitsAllocated, rgb ? 8 : 16)
        set[.bitsStored] = Self.us(.bitsStored, rgb ? 8 : 12)
        set[.highBit] = Self.us(.highBit, rgb ? 7 : 11)
        set[.pixelRepresentation] = Self.us(.pixelRepresentation, 0)
        var bytes: [UInt8] = []
        if rgb {
            set[.planarConfiguration] = Self.us(.planarConfiguration, 0)
            for v in pixels { let g = UInt8(v * 255); bytes += [g, g / 2, 255 - g] }
            set[.pixelData] = DataElement(tag: .pixelData, vr: .OB, value: .bytes(bytes))
        } else {
            set.setString(.windowCenter, "2048", vr: .DS)
            set.setString(.windowWidth, "4096", vr: .DS)
            bytes.reserveCapacity(pixels.count * 2)
            for v in pixels {
                let stored = UInt16(((monochrome1 ? 1 - v : v) * 4095).rounded())
                bytes += [UInt8(stored & 0xFF), UInt8(stored >> 8)]
            }
            set[.pixelData] = DataElement(tag: .pixelData, vr: .OW, value: .bytes(bytes))
        }
        var meta = DataSet()
        meta.setString(.mediaStorageSOPClassUID, sopClass, vr: .UI)
        meta.setString(.mediaStorageSOPInstanceUID, instance, vr: .UI)
        meta.setString(.implementationClassUID, "2.25.1", vr: .UI)
        return try DICOMWriter.data(DICOMFile(meta: meta, dataSet: set, transferSyntax: .explicitVRLittleEndian, file: "phantom.dcm"))
    }

    static func us(_ tag: Tag, _ value: Int) -> DataElement {
        DataElement(tag: tag, vr: .US, value: .bytes([UInt8(value & 0xFF), UInt8(value >> 8)]))
    }

    /// A `2.25.` UID from 96 random bits (PS3.5 B.2).
    package static func uid(_ generator: inout some RandomNumberGenerator) -> String {
        "2.25.\(UInt64.random(in: 1...UInt64.max, using: &generator))\(UInt32.random(in: 0...UInt32.max, using: &generator))"
    }
}
