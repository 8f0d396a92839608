// libFuzzer target: the DICOM reader and pixel decoder, compiled together with Sources/DICOM.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDICOM(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let file = try? DICOMFile.parse(data, file: "fuzz.dcm") else { return 0 }
    _ = file.dataSet.string(.patientName)
    if let decoder = try? PixelDecoder(file, maxPixels: 4_000_000) {
        _ = try? decoder.allFrames()
    }
    var deidentifier = Deidentifier()
    var copy = file
    var rng = SystemRandomNumberGenerator()
    deidentifier.deidentify(&copy, using: &rng)
    _ = try? DICOMWriter.data(copy)
    return 0
}
