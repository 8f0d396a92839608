/// The Modality LUT stage: Rescale Slope and Intercept (PS3.3 C.11.1), as pydicom's
/// `apply_modality_lut` applies them (in double precision; identity when either is absent).
package struct ModalityRescale: Sendable, Equatable {
    package let slope: Double
    package let intercept: Double

    package init(slope: Double = 1, intercept: Double = 0) {
        self.slope = slope
        self.intercept = intercept
    }

    /// The rescale of a data set (identity when slope or intercept is missing).
    package init(_ ds: DataSet) {
        if let s = ds.double(.rescaleSlope), let i = ds.double(.rescaleIntercept) {
            self.init(slope: s, intercept: i)
        } else {
            self.init()
        }
    }

    var isIdentity: Bool { slope == 1 && intercept == 0 }

    /// - Returns: every sample × slope + intercept, in the array's order.
    package func apply(_ pixels: PixelArray) -> [Double] {
        let count = pixels.values.count
        return [Double](unsafeUninitializedCapacity: count) { out, n in
            pixels.values.withUnsafeBufferPointer { src in
                if pixels.unsigned32 {
                    for i in src.indices { out[i] = Double(UInt32(bitPattern: src[i])) * slope + intercept }
                } else {
                    for i in src.indices { out[i] = Double(src[i]) * slope + intercept }
                }
            }
            n = count
        }
    }

    /// Single-precision version for image processing.
    /// - Returns: every sample × slope + intercept as Float32.
    package func applyFloat(_ pixels: PixelArray) -> [Float] {
        let count = pixels.values.count
        return [Float](unsafeUninitializedCapacity: count) { out, n in
            pixels.values.withUnsafeBufferPointer { src in
                if pixels.unsigned32 {
                    for i in src.indices { out[i] = Float(Double(UInt32(bitPattern: src[i])) * slope + intercept) }
                } else {
                    for i in src.indices { out[i] = Float(Double(src[i]) * slope + intercept) }
                }
            }
            n = count
        }
    }
}

/// The first VOI window of a data set: Window Center/Width (first value when several) and
/// VOI LUT Function (LINEAR when absent).
public struct VOIWindow: Sendable, Equatable {
    public let center: Double
    public let width: Double
    /// "LINEAR", "LINEAR_EXACT" or "SIGMOID".
    public let function: String

    public init?(_ ds: DataSet) {
        guard let c = ds.doubles(.windowCenter)?.first, let w = ds.doubles(.windowWidth)?.first else { return nil }
        center = c
        width = w
        function = ds.string(.voilutFunction)?.uppercased() ?? "LINEAR"
    }
}
