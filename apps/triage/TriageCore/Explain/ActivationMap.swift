import Foundation

/// A class activation map at the model's feature resolution: `height` × `width` values,
/// row-major, covering the whole model input (and so the whole image it was resized from).
package struct ActivationMap: Sendable, Equatable {
    package let values: [Float]
    package let width: Int
    package let height: Int

    package init(values: [Float], width: Int, height: Int) {
        precondition(width > 0 && height > 0 && values.count == width * height, "\(values.count) values for \(width)x\(height)")
        self.values = values
        self.width = width
        self.height = height
    }

    package init(_ prediction: Prediction) {
        self.init(values: prediction.cam, width: prediction.camWidth, height: prediction.camHeight)
    }

    /// The values as float32 little-endian bytes (the store's `cam` column).
    var littleEndianBytes: Data {
        var data = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Reads `littleEndianBytes`; nil when the byte count does not match the size.
    init?(littleEndian data: Data, width: Int, height: Int) {
        guard width > 0, height > 0, data.count == width * height * 4 else { return nil }
        let bytes = [UInt8](data)
        values = (0..<(width * height)).map { i in
            Float(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16
                  | UInt32(bytes[4 * i + 3]) << 24)
        }
        self.width = width
        self.height = height
    }
}
