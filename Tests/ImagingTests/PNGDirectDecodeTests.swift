import Foundation
@testable import Imaging
import ModelRuntime
import TestSupport
import Testing

/// The direct PNG path (libdeflate + our unfiltering, `Sources/CPNG/direct.c`) against libpng:
/// it must take every common file and give libpng's samples, and decline damaged ones (which
/// `PNGCodec.decode` then refuses through libpng).
struct PNGDirectDecodeTests {
    /// Samples through the direct path, or nil when it declines.
    static func direct(_ data: Data, _ info: PNGInfo) -> [UInt8]? { PNGCodec.decodeDirect(data, info) }

    /// libpng's samples as bytes in host order (what the direct path writes).
    static func libpng(_ data: Data) throws -> [UInt8] {
        switch try PNGCodec.decode(data, file: "test.png", path: .libpng).samples {
        case .uint8(let s): return s
        case .uint16(let s): return s.withUnsafeBytes { Array($0) }
        case .float32: Issue.record("float PNG"); return []
        }
    }

    @Test func takesEveryCommonFixtureAndMatchesLibpng() throws {
        let folder = Fixtures.url("imaging/png")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") }.sorted()
        var taken = 0
        for name in names {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let info = try PNGCodec.readInfo(data, file: name)
            guard !info.interlaced && info.bitDepth >= 8 && info.colorType != 3 else { continue }
            #expect(Self.direct(data, info) == (try Self.libpng(data)), "\(name)")
            taken += 1
        }
        #expect(taken >= 8)
    }

    /// Every filter type, by hand: rows of random bytes under filter 0…4 in turn, for each
    /// colour type, both depths and widths down to one pixel.
    @Test(arguments: [1, 2, 3, 4], [8, 16])
    func everyFilterTypeMatchesLibpng(channels: Int, bitDepth: Int) throws {
        var rng = SeededGenerator(seed: UInt64(channels * 100 + bitDepth))
        for (n, width) in [1, 2, 5, 33, 8].enumerated() {
            let height = 11, rowBytes = width * channels * bitDepth / 8
            var raw: [UInt8] = []
            for y in 0..<height {
                raw.append(UInt8((y + n) % 5))  // each filter type also on the first row, once per width
                // Smooth rows (small steps) make Average and Paeth carry values across bytes.
                var v = UInt8.random(in: 0...255, using: &rng)
                for _ in 0..<rowBytes {
                    v = v &+ UInt8.random(in: 0...6, using: &rng)
                    raw.append(v)
                }
            }
            // The last width splits its stream over three IDAT chunks, one of them empty.
            let stream = PNGBuilder.zlibStored(raw), cut = stream.count / 2
            let idats = n == 4 ? [Array(stream[..<cut]), [], Array(stream[cut...])] : [stream]
            let png = PNGBuilder.file(width: width, height: height, bitDepth: bitDepth, colorType: [0, 0, 4, 2, 6][channels],
                                      idats: idats)
            let info = try PNGCodec.readInfo(png, file: "built.png")
            let out = try #require(Self.direct(png, info), "declined \(width)x\(height)")
            #expect(out == (try Self.libpng(png)), "width \(width)")
        }
    }

    @Test func declinesDamagedFilesWhichLibpngRefuses() throws {
        // 3x3 gray: three rows of a filter byte and three samples; `short` lacks the last byte.
        let good: [UInt8] = [1, 10, 20, 30, 1, 10, 20, 30, 1, 10, 20, 30]
        let short = Array(good.dropLast())
        let file = { (idat: [UInt8]) in PNGBuilder.file(width: 3, height: 3, bitDepth: 8, colorType: 0, idat: idat) }
        let valid = file(PNGBuilder.zlibStored(good))
        let info = try PNGCodec.readInfo(valid, file: "ok.png")
        #expect(Self.direct(valid, info) == (try Self.libpng(valid)))

        var badFilter = good
        badFilter[4] = 5
        var badCRC = [UInt8](valid)
        badCRC[badCRC.count - 13] ^= 0x01  // last byte of the IDAT chunk's CRC
        var badAdler = PNGBuilder.zlibStored(good)
        badAdler[badAdler.count - 1] ^= 0x01
        let damaged: [(String, Data)] = [
            ("short image data", file(PNGBuilder.zlibStored(short))),
            ("filter byte 5", file(PNGBuilder.zlibStored(badFilter))),
            ("IDAT CRC", Data(badCRC)),
            ("Adler-32", file(badAdler)),
            ("no IEND", valid.prefix(valid.count - 12)),
            ("IEND CRC", Data(valid.dropLast()) + [valid.last! ^ 1]),
            ("IHDR after IDAT", file(PNGBuilder.zlibStored(good)).dropLast(12)
                + PNGBuilder.chunk("IHDR", Array(valid[16..<29])) + PNGBuilder.chunk("IEND", [])),
            ("invalid chunk name after IDAT", valid.dropLast(12) + PNGBuilder.chunk("a1cd", [1]) + PNGBuilder.chunk("IEND", [])),
        ]
        for (what, data) in damaged {
            #expect(Self.direct(data, info) == nil, "\(what)")
            #expect(throws: ImagingError.self, "\(what)") { try PNGCodec.decode(data, file: "bad.png") }
        }

        // Valid files the direct path leaves to libpng: a zlib window below 32 KiB (libdeflate
        // would not enforce it), a text chunk with a bad CRC (libpng warns and drops it).
        var smallWindow = PNGBuilder.zlibStored(good)
        smallWindow[0] = 0x18  // CINFO 1: a 512-byte window; FCHECK keeps the header a multiple of 31
        smallWindow[1] = 0x19
        var text = PNGBuilder.chunk("tEXt", Array("a\0b".utf8))
        text[text.count - 1] ^= 0x01
        let badText = Data(valid.prefix(33)) + text + Data(valid.dropFirst(33))  // after IHDR (8 + 12 + 13 bytes)
        for (what, data) in [("small window", file(smallWindow)), ("bad tEXt CRC", badText)] {
            #expect(Self.direct(data, info) == nil, "\(what)")
            #expect(try PNGCodec.decode(data, file: "ok.png") == PNGCodec.decode(valid, file: "ok.png"), "\(what)")
        }
    }
}

/// PNG files built byte by byte, for filter and damage cases no encoder writes.
enum PNGBuilder {
    static func file(width: Int, height: Int, bitDepth: Int, colorType: Int, idat: [UInt8]) -> Data {
        file(width: width, height: height, bitDepth: bitDepth, colorType: colorType, idats: [idat])
    }

    /// With the compressed stream split over the IDAT chunks `idats`.
    static func file(width: Int, height: Int, bitDepth: Int, colorType: Int, idats: [[UInt8]]) -> Data {
        var ihdr = be32(width) + be32(height)
        ihdr += [UInt8(bitDepth), UInt8(colorType), 0, 0, 0]
        var bytes: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", ihdr)
        for idat in idats { bytes += chunk("IDAT", idat) }
        return Data(bytes + chunk("IEND", []))
    }

    /// A zlib stream of stored (uncompressed) deflate blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let n = min(65535, data.count - start), last = start + n == data.count
            out += [last ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[start..<(start + n)]
            start += n
        } while start < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + be32(Int(b << 16 | a))
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return be32(body.count) + typed + be32(Int(crc32(typed)))
    }

    static func be32(_ v: Int) -> [UInt8] { [UInt8((v >> 24) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }
}
