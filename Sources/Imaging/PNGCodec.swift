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

    /// Bytes of the samples `decode` returns (call after `DecodeLimits.check`, which bounds the product).
    var decodedBytes: Int { width * height * colorModel.channels * outputBitDepth / 8 }
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
        try limits.checkBytes(info.decodedBytes, width: info.width, height: info.height, file: file)
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

    /// `decode`, or `decodeReduced` to at least `target` (when set) if the whole image would
    /// exceed `limits.maxDecodedBytes`.
    static func decode(_ data: Data, file: String, limits: DecodeLimits, reducingTo target: (width: Int, height: Int)?) throws -> Image {
        if let target {
            let info = try readInfo(data, file: file)
            try limits.check(width: info.width, height: info.height, file: file)
            if info.decodedBytes > limits.maxDecodedBytes { return try decodeReduced(data, file: file, minimumSize: target, limits: limits) }
        }
        return try decode(data, file: file, limits: limits)
    }

    /// Decodes a PNG reduced by the largest integer factor `f` that keeps it at least
    /// `minimumSize`: each output pixel is the rounded mean of an `f` × `f` block of the samples
    /// `decode` would return (the `width mod f` columns and `height mod f` rows that fill no
    /// block are dropped, half on each side, see `BoxReducer`), made from the rows as libpng
    /// delivers them, so the full image is never held.
    /// Memory: one decoded row, one row of sums (8 bytes a sample) and the reduced image (4 bytes
    /// a sample while it is made), under 4 × `minimumSize` pixels since `f` is the largest factor.
    /// Interlaced (Adam7) files cannot be read this way and throw `tooManyBytes`.
    /// - Returns: interleaved, same colour model and bit depth as `decode`,
    ///   ⌊width / f⌋ × ⌊height / f⌋.
    static func decodeReduced(_ data: Data, file: String, minimumSize: (width: Int, height: Int),
                              limits: DecodeLimits) throws -> Image {
        let info = try readInfo(data, file: file)
        try limits.check(width: info.width, height: info.height, file: file)
        let channels = info.colorModel.channels
        if info.interlaced { try limits.checkBytes(info.decodedBytes, width: info.width, height: info.height, file: file) }
        let factor = max(1, min(info.width / max(1, minimumSize.width), info.height / max(1, minimumSize.height)))
        let reducer = BoxReducer(width: info.width, height: info.height, channels: channels, factor: factor)
        if info.outputBitDepth == 16 {
            try decodeRows(data, file: file) { y, row in reducer.add(row: y, row.assumingMemoryBound(to: UInt16.self)) }
            return Image(width: reducer.outWidth, height: reducer.outHeight, colorModel: info.colorModel,
                         samples: .uint16(reducer.output.map { UInt16($0) }))
        }
        try decodeRows(data, file: file) { y, row in reducer.add(row: y, row.assumingMemoryBound(to: UInt8.self)) }
        return Image(width: reducer.outWidth, height: reducer.outHeight, colorModel: info.colorModel,
                     samples: .uint8(reducer.output.map { UInt8($0) }))
    }

    /// Calls `body` with every row (`cpng_decode_rows`), top to bottom.
    private static func decodeRows(_ data: Data, file: String, _ body: (Int, UnsafeRawPointer) -> Void) throws {
        try withoutActuallyEscaping(body) { body in
            let sink = RowSink(body)
            try withExtendedLifetime(sink) {
                try call(file) { error in
                    data.withUnsafeBytes { raw in
                        cpng_decode_rows(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, { context, y, row in
                            Unmanaged<RowSink>.fromOpaque(context!).takeUnretainedValue().body(Int(y), UnsafeRawPointer(row!))
                        }, Unmanaged.passUnretained(sink).toOpaque(), error)
                    }
                }
            }
        }
    }

    /// The Swift closure behind `cpng_decode_rows`'s context pointer.
    private final class RowSink {
        let body: (Int, UnsafeRawPointer) -> Void
        init(_ body: @escaping (Int, UnsafeRawPointer) -> Void) { self.body = body }
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
