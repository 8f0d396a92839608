import CJPEG
public import Foundation

/// What a JPEG's markers declare (read without decoding pixels).
public struct JPEGInfo: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (gray), 3 (YCbCr/RGB) or 4 (CMYK/YCCK).
    public let components: Int
    /// The stored colour space: "gray", "rgb", "ycbcr", "cmyk", "ycck" or "unknown".
    public let colorSpace: String
    public let progressive: Bool
    /// Bits per sample (8; 12-bit files are refused by `decode`).
    public let precision: Int
    /// EXIF orientation (1–8), 1 when absent.
    public let orientation: ExifOrientation
    let sawAdobe: Bool
}

/// Options for `JPEGCodec.decode`.
public struct JPEGDecodeOptions: Sendable {
    /// When set, libjpeg decodes at 1/2, 1/4 or 1/8 scale (DCT-domain downscaling) as long as the
    /// result stays at least this size, using Pillow's `Image.draft` rule. Width × height after orientation.
    package var minimumSize: (width: Int, height: Int)?
    /// Apply the EXIF orientation (default true).
    var applyOrientation: Bool
    /// Return CMYK files as Pillow's 4-channel CMYK (for parity tests) instead of RGB.
    var keepCMYK: Bool

    public init(minimumSize: (width: Int, height: Int)? = nil, applyOrientation: Bool = true) {
        self.minimumSize = minimumSize
        self.applyOrientation = applyOrientation
        self.keepCMYK = false
    }
}

/// JPEG decoding through libjpeg (the only Imaging file that touches CJPEG).
public enum JPEGCodec {
    public static func readInfo(_ data: Data, file: String) throws -> JPEGInfo {
        let raw = try header(data, file: file, scaleDenominator: 1)
        return info(raw, data: data)
    }

    /// Decodes a baseline or progressive JPEG: gray stays gray, YCbCr/RGB becomes RGB,
    /// CMYK/YCCK becomes RGB with Pillow's conversion.
    /// - Returns: an interleaved `.uint8` image, EXIF orientation applied unless disabled.
    public static func decode(_ data: Data, file: String, options: JPEGDecodeOptions = .init(),
                              limits: DecodeLimits = .default) throws -> Image {
        let full = try header(data, file: file, scaleDenominator: 1)
        let orientation = options.applyOrientation ? info(full, data: data).orientation : .up
        try limits.check(width: Int(full.width), height: Int(full.height), file: file)
        var denominator = 1
        if let target = options.minimumSize, target.width > 0, target.height > 0 {
            let (w, h) = orientation.swapsAxes ? (target.height, target.width) : (target.width, target.height)
            let scale = min(Int(full.width) / w, Int(full.height) / h)
            denominator = [8, 4, 2, 1].first { scale >= $0 } ?? 1
        }
        let scaled = denominator == 1 ? full : try header(data, file: file, scaleDenominator: denominator)
        let width = Int(scaled.out_width), height = Int(scaled.out_height)
        let isCMYK = full.components == 4
        let outSpace: Int32 = full.components == 1 ? 1 : (isCMYK ? 4 : 2)
        let channels = full.components == 1 ? 1 : (isCMYK ? 4 : 3)
        let count = width * height * channels
        // A progressive file keeps every DCT coefficient (2 bytes a sample, at most) until the last scan.
        let coefficients = full.progressive != 0 ? Int(full.width) * Int(full.height) * Int(full.components) * 2 : 0
        try limits.checkBytes(max(count * (isCMYK && !options.keepCMYK ? 2 : 1), coefficients),
                              width: Int(full.width), height: Int(full.height), file: file)
        var samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try call(file) { error in
                data.withUnsafeBytes { raw in
                    cjpeg_decode(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, Int32(denominator), outSpace,
                                 buffer.baseAddress, count, error)
                }
            }
            initialized = count
        }
        var image: Image
        if isCMYK {
            // Adobe files store inverted CMYK; Pillow reads them as "CMYK;I".
            if full.saw_adobe != 0 { ColorConversion.invert(&samples) }
            if options.keepCMYK {
                image = Image(width: width, height: height, colorModel: .rgba, samples: .uint8(samples))
            } else {
                image = Image(width: width, height: height, colorModel: .rgb,
                              samples: .uint8(ColorConversion.cmykToRGB(samples, pixels: width * height)))
            }
        } else {
            image = Image(width: width, height: height, colorModel: channels == 1 ? .gray : .rgb, samples: .uint8(samples))
        }
        return orientation == .up ? image : image.oriented(orientation)
    }

    private static func header(_ data: Data, file: String, scaleDenominator: Int) throws -> cjpeg_info {
        var info = cjpeg_info()
        try call(file) { error in
            data.withUnsafeBytes { raw in
                cjpeg_read_info(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, Int32(scaleDenominator), &info, error)
            }
        }
        return info
    }

    private static func info(_ raw: cjpeg_info, data: Data) -> JPEGInfo {
        let spaces = [1: "gray", 2: "rgb", 3: "ycbcr", 4: "cmyk", 5: "ycck"]
        var orientation = ExifOrientation.up
        if raw.exif_size > 0 {
            let start = data.startIndex + Int(raw.exif_offset)
            orientation = ExifOrientation.parse(tiff: data[start..<(start + Int(raw.exif_size))])
        }
        return JPEGInfo(width: Int(raw.width), height: Int(raw.height), components: Int(raw.components),
                        colorSpace: spaces[Int(raw.color_space)] ?? "unknown", progressive: raw.progressive != 0,
                        precision: Int(raw.precision), orientation: orientation, sawAdobe: raw.saw_adobe != 0)
    }

    private static func call(_ file: String, _ body: (UnsafeMutablePointer<CChar>) -> Int32) throws {
        var message = [CChar](repeating: 0, count: Int(CJPEG_ERROR_SIZE))
        let status = message.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        guard status == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImagingError.corrupt(file: file, format: "JPEG", reason: reason)
        }
    }
}
