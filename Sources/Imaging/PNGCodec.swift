import CPNG
public import Foundation

/// What a PNG's header declares (read without decoding pixels).
public struct PNGInfo: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Bits per sample as stored (1, 2, 4, 8, 16).
    public let bitDepth: Int
    /// PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
    package let colorType: Int
    package let interlaced: Bool
    /// What `decode` returns: channels and bit depth (8 or 16).
    public let colorModel: Image.ColorModel
    let outputBitDepth: Int
}

/// PNG decoding and encoding through libpng (the only file that touches CPNG).
public enum PNGCodec {
    /// Reads the header only.
    public static func readInfo(_ data: Data, file: String) throws -> PNGInfo {
        var info = cpng_info()
        try call(file) { error in
            data.withUnsafeBytes { raw in
                cpng_read_info(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &info, error)
            }
        }
        let model: Image.ColorModel
        switch info.out_channels {
        case 1: model = .gray
        case 2: model = .grayAlpha
        case 3: model = .rgb
        case 4: model = .rgba
        default: throw ImagingError.corrupt(file: file, format: "PNG", reason: "colour type \(info.color_type)")
        }
        return PNGInfo(width: Int(info.width), height: Int(info.height), bitDepth: Int(info.bit_depth),
                       colorType: Int(info.color_type), interlaced: info.interlaced != 0,
                       colorModel: model, outputBitDepth: Int(info.out_bit_depth))
    }

    /// Decodes a PNG: gray 1/2/4-bit scaled to 8-bit, palette expanded to RGB (RGBA with tRNS),
    /// 16-bit kept as 16-bit, gamma not applied.
    /// - Returns: an interleaved `.uint8` or `.uint16` image.
    public static func decode(_ data: Data, file: String, limits: DecodeLimits = .default) throws -> Image {
        try decode(data, file: file, limits: limits, path: .automatic)
    }

    /// Which C path decodes the pixels.
    enum DecodePath {
        /// The direct path for the common files (cpng.h, `cpng_decode_direct`), libpng otherwise.
        case automatic
        /// libpng for every file: the reference the direct path is tested against.
        case libpng
    }

    static func decode(_ data: Data, file: String, limits: DecodeLimits = .default, path: DecodePath) throws -> Image {
        let info = try readInfo(data, file: file)
        try limits.check(width: info.width, height: info.height, file: file)
        let count = info.width * info.height * info.colorModel.channels
        if info.outputBitDepth == 16 {
            let samples = try [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
                try decodeInto(data, file: file, UnsafeMutableRawBufferPointer(buffer), path: path)
                initialized = count
            }
            return Image(width: info.width, height: info.height, colorModel: info.colorModel, samples: .uint16(samples))
        }
        let samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try decodeInto(data, file: file, UnsafeMutableRawBufferPointer(buffer), path: path)
            initialized = count
        }
        return Image(width: info.width, height: info.height, colorModel: info.colorModel, samples: .uint8(samples))
    }

    private static func decodeInto(_ data: Data, file: String, _ out: UnsafeMutableRawBufferPointer, path: DecodePath) throws {
        let cDecode = path == .libpng ? cpng_decode_libpng : cpng_decode
        try call(file) { error in
            data.withUnsafeBytes { raw in
                cDecode(raw.bindMemory(to: UInt8.self).baseAddress, raw.count,
                        out.bindMemory(to: UInt8.self).baseAddress, out.count, error)
            }
        }
    }

    /// The direct path alone (`cpng_decode_direct`) for a file `readInfo` described: its samples
    /// as bytes (16-bit ones in host order), or nil when it declines. For tests.
    static func decodeDirect(_ data: Data, _ info: PNGInfo) -> [UInt8]? {
        let channels = info.colorModel.channels
        var out = [UInt8](repeating: 0, count: info.width * info.height * channels * info.outputBitDepth / 8)
        let status = data.withUnsafeBytes { raw in
            out.withUnsafeMutableBytes { o in
                cpng_decode_direct(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, UInt32(info.width),
                                   UInt32(info.height), Int32(channels), Int32(info.outputBitDepth),
                                   o.bindMemory(to: UInt8.self).baseAddress, o.count)
            }
        }
        return status == 0 ? out : nil
    }

    /// Encodes an 8-bit gray, gray+alpha, RGB or RGBA image, or a 16-bit one of the same
    /// models, as a non-interlaced PNG. Float images must be converted first.
    public static func encode(_ image: Image, file: String = "<memory>", compressionLevel: Int = 6) throws -> Data {
        var buffer = cpng_buffer()
        defer { cpng_free(&buffer) }
        func run(_ raw: UnsafeRawBufferPointer, bits: Int32) throws {
            try call(file, encoding: true) { error in
                cpng_encode(raw.bindMemory(to: UInt8.self).baseAddress, UInt32(image.width), UInt32(image.height),
                            Int32(image.channels), bits, Int32(compressionLevel), &buffer, error)
            }
        }
        switch image.samples {
        case .uint8(let a): try a.withUnsafeBytes { try run($0, bits: 8) }
        case .uint16(let a): try a.withUnsafeBytes { try run($0, bits: 16) }
        case .float32:
            throw ImagingError.encodeFailed(file: file, reason: "PNG holds 8- or 16-bit samples; convert the float image first")
        }
        return Data(bytes: buffer.bytes, count: buffer.size)
    }

    private static func call(_ file: String, encoding: Bool = false, _ body: (UnsafeMutablePointer<CChar>) -> Int32) throws {
        var message = [CChar](repeating: 0, count: Int(CPNG_ERROR_SIZE))
        let status = message.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        guard status == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw encoding ? ImagingError.encodeFailed(file: file, reason: reason)
                : ImagingError.corrupt(file: file, format: "PNG", reason: reason)
        }
    }
}
