/// Decoded integer samples of one or more frames, after unused high bits are cleared
/// (unsigned) or sign-extended (signed), as pydicom's `pixel_array` returns them.
public struct PixelArray: Sendable, Equatable {
    public let rows: Int
    package let columns: Int
    package let samplesPerPixel: Int
    public let frames: Int
    /// Photometric interpretation of `values` (RGB after a YBR conversion).
    public let photometricInterpretation: String
    /// Bits Allocated 32 with unsigned samples: `values` hold bit patterns to read as `UInt32`.
    let unsigned32: Bool
    /// `[frames, rows, columns, samplesPerPixel]`, interleaved.
    package var values: [Int32]

    /// The sample at `index` as a number (unsigned 32-bit samples read correctly).
    @inline(__always)
    public func value(at index: Int) -> Int64 {
        unsigned32 ? Int64(UInt32(bitPattern: values[index])) : Int64(values[index])
    }
}
