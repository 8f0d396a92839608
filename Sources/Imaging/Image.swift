/// A decoded or processed image.
///
/// Integer images (`.uint8`, `.uint16`) are **interleaved**: row-major, channels last
/// (`[height, width, channels]`), as codecs deliver them. Float images are **planar**
/// (`[channels, height, width]`), the layout processing and the model runtime use.
/// 16-bit samples are in host byte order.
public struct Image: Sendable, Equatable {
    public enum Samples: Sendable, Equatable {
        case uint8([UInt8])
        case uint16([UInt16])
        case float32([Float])
    }

    /// What the channels mean.
    public enum ColorModel: String, Sendable, Equatable {
        case gray, grayAlpha, rgb, rgba

        public var channels: Int {
            switch self {
            case .gray: 1
            case .grayAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    public let width: Int
    public let height: Int
    public let colorModel: ColorModel
    public var samples: Samples

    public var channels: Int { colorModel.channels }
    public var pixelCount: Int { width * height }

    /// Bits per sample: 8, 16 or 32 (float).
    public var bitDepth: Int {
        switch samples {
        case .uint8: 8
        case .uint16: 16
        case .float32: 32
        }
    }

    public init(width: Int, height: Int, colorModel: ColorModel, samples: Samples) {
        let count: Int
        switch samples {
        case .uint8(let a): count = a.count
        case .uint16(let a): count = a.count
        case .float32(let a): count = a.count
        }
        precondition(width >= 0 && height >= 0 && count == width * height * colorModel.channels,
                     "\(count) samples for \(width)x\(height)x\(colorModel.channels)")
        self.width = width
        self.height = height
        self.colorModel = colorModel
        self.samples = samples
    }

    /// 8-bit interleaved samples, or nil for other sample types.
    package var uint8Samples: [UInt8]? { if case .uint8(let a) = samples { a } else { nil } }
    /// 16-bit interleaved samples, or nil for other sample types.
    package var uint16Samples: [UInt16]? { if case .uint16(let a) = samples { a } else { nil } }
    /// Planar float samples, or nil for other sample types.
    public var floatSamples: [Float]? { if case .float32(let a) = samples { a } else { nil } }
}
