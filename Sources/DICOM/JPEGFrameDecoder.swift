import CJPEG

/// JPEG Baseline frames through libjpeg (the only DICOM file that touches the JPEG shim).
/// Like pydicom with Pillow: without an Adobe APP14 marker the colour components are returned as
/// stored (YCbCr, converted to RGB afterwards by the photometric interpretation); with one,
/// libjpeg applies the marker's transform.
enum JPEGFrameDecoder {
    static func decode(_ data: [UInt8], description d: PixelDescription, file: String, frame: Int)
        throws -> (values: [Int32], photometric: String) {
        var info = cjpeg_info()
        var message = [CChar](repeating: 0, count: Int(CJPEG_ERROR_SIZE))
        func fail() -> DICOMError {
            .corruptPixelData(file: file, frame: frame,
                              reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let headerStatus = data.withUnsafeBufferPointer { src in
            message.withUnsafeMutableBufferPointer { cjpeg_read_info(src.baseAddress, src.count, 1, &info, $0.baseAddress) }
        }
        guard headerStatus == 0 else { throw fail() }
        guard Int(info.width) == d.columns, Int(info.height) == d.rows, Int(info.components) == d.samplesPerPixel else {
            throw DICOMError.corruptPixelData(file: file, frame: frame, reason:
                "JPEG frame is \(info.width)x\(info.height)×\(info.components), the data set says \(d.columns)x\(d.rows)×\(d.samplesPerPixel)")
        }
        let adobe = info.saw_adobe != 0
        let outSpace: Int32 = d.samplesPerPixel == 1 ? 1 : (adobe ? 2 : 0)
        let count = d.pixelsPerFrame * d.samplesPerPixel
        var bytes = [UInt8](repeating: 0, count: count)
        let status = data.withUnsafeBufferPointer { src in
            bytes.withUnsafeMutableBufferPointer { dst in
                message.withUnsafeMutableBufferPointer {
                    cjpeg_decode(src.baseAddress, src.count, 1, outSpace, dst.baseAddress, count, $0.baseAddress)
                }
            }
        }
        guard status == 0 else { throw fail() }
        let values = [Int32](unsafeUninitializedCapacity: count) { out, n in
            for i in 0..<count { out[i] = d.signed ? Int32(Int8(bitPattern: bytes[i])) : Int32(bytes[i]) }
            n = count
        }
        var photometric = d.photometricInterpretation
        if adobe && d.samplesPerPixel == 3 { photometric = "RGB" }
        return (values, photometric)
    }
}
