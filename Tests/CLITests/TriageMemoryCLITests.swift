import Foundation
import TestSupport
import Testing
import TriageTestSupport

/// `triage batch` keeps its peak memory flat on huge inputs (docs/TRIAGE.md, "Memory"): hostile
/// files made here — a 7000 × 7000 16-bit RGBA PNG of ~380 KB, 7000 × 7000 baseline and
/// progressive JPEGs, a 5000 × 5000 16-bit DICOM — run through the built `triage` under
/// `/usr/bin/time -v`, whose "Maximum resident set size" must stay within a small batch's plus
/// twice the largest file (a DICOM's pixel data is copied out of the file's bytes when parsed)
/// plus `margin`.
@Suite(.serialized)
struct TriageMemoryCLITests {
    static let time = "/usr/bin/time"
    /// What the bounded paths may add to a small run besides the file's bytes: the reduced or
    /// DCT-scaled image (≤ 1 MiB here), libpng's and libjpeg's row buffers and zlib's window
    /// (< 1 MiB each), the decode thread's malloc arena and stack, and run-to-run noise of a
    /// debug build (a few MiB). A whole 7000 × 7000 RGBA16 decode alone is 374 MiB.
    static let margin = 64 << 20
    static let side = 7000

    @Test func batchPeakMemoryStaysFlatOnHugeInputs() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.time) else {
            print("skipped: \(Self.time) is absent (Debian package `time`, installed by `make setup`)")
            return
        }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("model")
        try TinyTriageModel.write(to: model)
        let small = dir.appendingPathComponent("small"), huge = dir.appendingPathComponent("huge")
        try TestImages.writePhantoms(count: 1, size: 48, to: small)
        try FileManager.default.createDirectory(at: huge, withIntermediateDirectories: true)
        try HostileFiles.png(side: Self.side, to: huge.appendingPathComponent("rgba16.png"))
        try HostileFiles.dicom(side: 5000, to: huge.appendingPathComponent("mono16.dcm"))
        let jpegs = FileManager.default.isExecutableFile(atPath: "/usr/bin/cjpeg")
        if jpegs {
            try HostileFiles.jpeg(side: Self.side, progressive: false, to: huge.appendingPathComponent("baseline.jpg"))
            try HostileFiles.jpeg(side: Self.side, progressive: true, to: huge.appendingPathComponent("progressive.jpg"))
        } else {
            print("JPEG inputs skipped: /usr/bin/cjpeg is absent (Debian package libjpeg-turbo-progs, installed by `make setup`)")
        }

        let base = try Self.peakRSS(batch: small, model: model, home: dir.appendingPathComponent("home-small"))
        #expect(base.status == 0, "\(base.stderr)")
        let hostile = try Self.peakRSS(batch: huge, model: model, home: dir.appendingPathComponent("home-huge"))
        // The progressive RGB JPEG would hold 7000² × 3 × 2 bytes of coefficients: refused (exit 3, partial).
        #expect(hostile.status == (jpegs ? 3 : 0), "\(hostile.stderr)")
        let largestFile = try FileManager.default.contentsOfDirectory(at: huge, includingPropertiesForKeys: [.fileSizeKey])
            .map { try $0.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0 }.max() ?? 0
        let bound = base.bytes + 2 * largestFile + Self.margin
        print("triage batch peak RSS: small run \(base.bytes >> 20) MiB, huge inputs \(hostile.bytes >> 20) MiB, bound \(bound >> 20) MiB")
        #expect(hostile.bytes <= bound)
    }

    /// `triage batch` of `folder` with one worker under `/usr/bin/time -v`: exit status and peak RSS in bytes.
    static func peakRSS(batch folder: URL, model: URL, home: URL) throws -> (status: Int32, bytes: Int, stderr: String) {
        let keys = try CommandRunner.run("triage", ["keys", "init", "--home", home.path])
        #expect(keys.status == 0, "\(keys.stderr)")
        let triage = CommandRunner.productsDirectory.appendingPathComponent("triage").path
        let run = try CommandRunner.run(time, ["-v", triage, "batch", folder.path, "--home", home.path, "--model", model.path,
                                               "--workers", "1", "--threads", "1"])
        let line = run.stderr.split(separator: "\n").first { $0.contains("Maximum resident set size (kbytes):") }
        let kilobytes = line.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        #expect(kilobytes != nil, "no peak RSS in: \(run.stderr.suffix(500))")
        // `time` exits with the command's status.
        return (run.status, (kilobytes ?? 0) * 1024, run.stderr)
    }
}

/// Huge files that cost little to make and to store: their pixels are all zero (grey, so the
/// colour gate passes them), written by streaming compressors, never held in this process.
enum HostileFiles {
    /// A `side` × `side` 16-bit RGBA PNG: one IDAT whose zlib stream is gzip's deflate of the
    /// zero rows (filter byte 0 + samples), ~1000:1.
    static func png(side: Int, to url: URL) throws {
        let raw = (side * 8 + 1) * side
        let gz = url.deletingLastPathComponent().appendingPathComponent("rows.gz")
        defer { try? FileManager.default.removeItem(at: gz) }
        try shell("head -c \(raw) /dev/zero | gzip -n -c > '\(gz.path)'")
        let gzip = try Data(contentsOf: gz)
        // gzip: a 10-byte header (no name with -n), the deflate stream, CRC-32 and size (8 bytes).
        var zlib = Data([0x78, 0x9C])
        zlib.append(gzip.dropFirst(10).dropLast(8))
        zlib.append(bigEndian(UInt32((raw % 65521) << 16 | 1)))  // Adler-32 of `raw` zero bytes
        var ihdr = bigEndian(UInt32(side)) + bigEndian(UInt32(side))
        ihdr.append(contentsOf: [16, 6, 0, 0, 0])  // 16-bit RGBA, deflate, adaptive filter, not interlaced
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        png.append(chunk("IHDR", ihdr))
        png.append(chunk("IDAT", zlib))
        png.append(chunk("IEND", Data()))
        try png.write(to: url)
    }

    /// A `side` × `side` RGB JPEG from cjpeg (quality 90), baseline or progressive.
    static func jpeg(side: Int, progressive: Bool, to url: URL) throws {
        try shell("{ printf 'P6\\n\(side) \(side)\\n255\\n'; head -c \(side * side * 3) /dev/zero; } | "
                  + "cjpeg -quality 90 \(progressive ? "-progressive " : "")> '\(url.path)'")
    }

    /// A `side` × `side` 16-bit MONOCHROME2 CR in Explicit VR Little Endian with a VOI window.
    static func dicom(side: Int, to url: URL) throws {
        func element(_ group: UInt16, _ element: UInt16, _ vr: String, _ value: Data) -> Data {
            var out = littleEndian(group) + littleEndian(element) + Data(vr.utf8)
            out.append(littleEndian(UInt16(value.count)))
            return out + value
        }
        /// An OB/OW header: two reserved bytes and a 4-byte length.
        func long(_ group: UInt16, _ element: UInt16, _ vr: String, length: Int) -> Data {
            littleEndian(group) + littleEndian(element) + Data(vr.utf8) + Data([0, 0]) + littleEndian(UInt32(length))
        }
        func text(_ s: String, pad: UInt8 = 0x20) -> Data { var d = Data(s.utf8); if d.count % 2 == 1 { d.append(pad) }; return d }
        let sopClass = text("1.2.840.10008.5.1.4.1.1.1", pad: 0), instance = text("1.2.826.0.1.3680043.2.1125.7000.1", pad: 0)
        var meta = long(2, 1, "OB", length: 2) + Data([0, 1])
        meta += element(2, 2, "UI", sopClass) + element(2, 3, "UI", instance) + element(2, 0x10, "UI", text("1.2.840.10008.1.2.1", pad: 0))
        var file = Data(count: 128) + Data("DICM".utf8) + element(2, 0, "UL", littleEndian(UInt32(meta.count))) + meta
        file += element(8, 0x16, "UI", sopClass) + element(8, 0x18, "UI", instance) + element(8, 0x60, "CS", text("CR"))
        file += element(0x20, 0x0D, "UI", text("1.2.826.0.1.3680043.2.1125.7000.2", pad: 0))
        file += element(0x28, 2, "US", littleEndian(UInt16(1))) + element(0x28, 4, "CS", text("MONOCHROME2"))
        file += element(0x28, 0x10, "US", littleEndian(UInt16(side))) + element(0x28, 0x11, "US", littleEndian(UInt16(side)))
        file += element(0x28, 0x100, "US", littleEndian(UInt16(16))) + element(0x28, 0x101, "US", littleEndian(UInt16(12)))
        file += element(0x28, 0x102, "US", littleEndian(UInt16(11))) + element(0x28, 0x103, "US", littleEndian(UInt16(0)))
        file += element(0x28, 0x1050, "DS", text("2048")) + element(0x28, 0x1051, "DS", text("4096"))
        let pixelBytes = side * side * 2
        file += long(0x7FE0, 0x10, "OW", length: pixelBytes)
        FileManager.default.createFile(atPath: url.path, contents: file)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        let zeros = Data(count: 1 << 20)
        var left = pixelBytes
        while left > 0 {
            try handle.write(contentsOf: zeros.prefix(min(left, zeros.count)))
            left -= min(left, zeros.count)
        }
    }

    static func shell(_ command: String) throws {
        let run = try CommandRunner.run("/bin/sh", ["-c", "set -e; " + command])
        #expect(run.status == 0, "\(command): \(run.stderr)")
    }

    static func chunk(_ type: String, _ body: Data) -> Data {
        let typed = Data(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }

    static func crc32(_ bytes: Data) -> UInt32 {
        var table = [UInt32](repeating: 0, count: 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
            table[i] = c
        }
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }

    static func bigEndian<T: FixedWidthInteger>(_ v: T) -> Data { withUnsafeBytes(of: v.bigEndian) { Data($0) } }
    static func littleEndian<T: FixedWidthInteger>(_ v: T) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
}
