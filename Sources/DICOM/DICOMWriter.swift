import CJPEG
public import Foundation

/// Writes a `DICOMFile` as a Part 10 file: zero preamble, "DICM", the File Meta group (Explicit VR
/// Little Endian, group length recomputed), then the data set in the file's encoding. Sequences
/// and items are written with undefined length and delimiters; values keep their stored bytes.
/// Deflated files are written deflated again.
public enum DICOMWriter {
    public static func data(_ file: DICOMFile) throws -> Data {
        var out = try header(meta: file.meta, transferSyntaxUID: file.transferSyntax.uid, file: file.file)
        let syntax = file.transferSyntax
        var body: [UInt8] = []
        for e in file.dataSet.elements {
            try encode(e, explicitVR: syntax.explicitVR, bigEndian: syntax.bigEndian, into: &body, file: file.file)
        }
        if syntax.deflated { body = try deflate(body, file: file.file) }
        out += body
        return Data(out)
    }

    /// A Part 10 file around a data set that is already encoded, as a C-STORE brings it (PS3.10
    /// §7.1): the File Meta group names the instance, the transfer syntax the bytes are in, the
    /// implementation that wrote the file and the AE that sent it; the data set follows verbatim
    /// (a deflated one stays deflated).
    public static func part10(encodedDataSet: [UInt8], sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String,
                              implementationClassUID: String, implementationVersionName: String,
                              sourceAETitle: String?) throws -> Data {
        var meta = DataSet()
        meta.setString(.mediaStorageSOPClassUID, sopClassUID, vr: .UI)
        meta.setString(.mediaStorageSOPInstanceUID, sopInstanceUID, vr: .UI)
        meta.setString(.implementationClassUID, implementationClassUID, vr: .UI)
        meta.setString(Tag(0x0002, 0x0013), implementationVersionName, vr: .SH)
        if let sourceAETitle { meta.setString(Tag(0x0002, 0x0016), sourceAETitle, vr: .AE) }
        return Data(try header(meta: meta, transferSyntaxUID: transferSyntaxUID, file: sopInstanceUID) + encodedDataSet)
    }

    /// The preamble (128 zero bytes), "DICM" and the File Meta group in Explicit VR Little Endian,
    /// with its group length recomputed and the version and transfer syntax set.
    private static func header(meta: DataSet, transferSyntaxUID: String, file: String) throws -> [UInt8] {
        var meta = meta
        meta.remove(.fileMetaInformationGroupLength)
        meta.setString(.transferSyntaxUID, transferSyntaxUID, vr: .UI)
        if !meta.contains(.fileMetaInformationVersion) {
            meta[.fileMetaInformationVersion] = DataElement(tag: .fileMetaInformationVersion, vr: .OB, value: .bytes([0, 1]))
        }
        var metaBytes: [UInt8] = []
        for e in meta.elements { try encode(e, explicitVR: true, bigEndian: false, into: &metaBytes, file: file) }
        var groupLength: [UInt8] = []
        try encode(DataElement(tag: .fileMetaInformationGroupLength, vr: .UL, value: .bytes(le32(UInt32(metaBytes.count)))),
                   explicitVR: true, bigEndian: false, into: &groupLength, file: file)
        return [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + groupLength + metaBytes
    }

    public static func write(_ file: DICOMFile, to url: URL) throws {
        let bytes = try data(file)
        do { try bytes.write(to: url, options: .atomic) } catch {
            throw DICOMError.io(file: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    static func encode(_ e: DataElement, explicitVR: Bool, bigEndian: Bool, into out: inout [UInt8], file: String) throws {
        func u16(_ v: UInt16) { if bigEndian { out += [UInt8(v >> 8), UInt8(v & 0xFF)] } else { out += [UInt8(v & 0xFF), UInt8(v >> 8)] } }
        func u32(_ v: UInt32) { if bigEndian { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) } else { u16(UInt16(v & 0xFFFF)); u16(UInt16(v >> 16)) } }
        func header(_ tag: Tag, _ vr: VR, _ length: UInt32) throws {
            u16(tag.group); u16(tag.element)
            if explicitVR {
                out += Array(vr.rawValue.utf8)
                if vr.hasLongLength {
                    out += [0, 0]
                    u32(length)
                } else {
                    guard length <= 0xFFFF else {
                        throw DICOMError.invalidAttribute(file: file, tag: tag, keyword: tag.keyword ?? "element",
                                                          reason: "\(length) bytes do not fit a \(vr.rawValue) length")
                    }
                    u16(UInt16(length))
                }
            } else {
                u32(length)
            }
        }
        switch e.value {
        case .bytes(var b):
            if b.count % 2 == 1 { b.append(e.vr == .UI || !e.vr.isText ? 0 : 0x20) }
            try header(e.tag, e.vr, UInt32(b.count))
            out += b
        case .sequence(let items):
            try header(e.tag, .SQ, 0xFFFF_FFFF)
            for item in items {
                u16(0xFFFE); u16(0xE000); u32(0xFFFF_FFFF)
                for child in item.elements { try encode(child, explicitVR: explicitVR, bigEndian: bigEndian, into: &out, file: file) }
                u16(0xFFFE); u16(0xE00D); u32(0)
            }
            u16(0xFFFE); u16(0xE0DD); u32(0)
        case .fragments(let fragments):
            try header(e.tag, e.vr == .OW ? .OW : .OB, 0xFFFF_FFFF)
            for f in fragments {
                u16(0xFFFE); u16(0xE000); u32(UInt32(f.count + f.count % 2))
                out += f
                if f.count % 2 == 1 { out.append(0) }
            }
            u16(0xFFFE); u16(0xE0DD); u32(0)
        }
    }

    private static func deflate(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = bytes.withUnsafeBufferPointer { src in
            message.withUnsafeMutableBufferPointer { cdeflate_raw(src.baseAddress, src.count, &out, &size, $0.baseAddress) }
        }
        guard status == 0, let out else { throw DICOMError.io(file: file, reason: "deflate failed") }
        defer { cinflate_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
