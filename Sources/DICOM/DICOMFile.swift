import CJPEG
public import Foundation

/// A DICOM file: its File Meta Information, its data set and its transfer syntax.
///
/// Reads Part 10 files (128-byte preamble, "DICM", File Meta group) and, leniently, files with
/// no preamble or no meta group (the encoding is then guessed from the first element).
public struct DICOMFile: Sendable {
    public var meta: DataSet
    public var dataSet: DataSet
    public var transferSyntax: TransferSyntax
    /// The file name used in errors.
    public let file: String
    /// Whether the file had the 128-byte preamble and "DICM".
    package let hasPreamble: Bool

    public struct Options: Sendable {
        /// Deepest sequence nesting accepted.
        var maxDepth = 16
        /// Largest inflated size of a Deflated data set.
        var maxInflatedBytes = 1 << 31
        public init() {}
    }

    public static func read(contentsOf url: URL, options: Options = .init()) throws -> DICOMFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DICOMError.io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, file: url.path, options: options)
    }

    public static func parse(_ data: Data, file: String, options: Options = .init()) throws -> DICOMFile {
        // Parsed where the bytes lie: only element values are copied out.
        try data.withUnsafeBytes { try parse($0.assumingMemoryBound(to: UInt8.self), file: file, options: options) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String, options: Options) throws -> DICOMFile {
        var offset = 0
        var hasPreamble = false
        if bytes.count >= 132, bytes[128..<132].elementsEqual("DICM".utf8) {
            offset = 132
            hasPreamble = true
        } else if bytes.count >= 4, bytes[0..<4].elementsEqual("DICM".utf8) {
            offset = 4  // "DICM" without the preamble
        }
        // File Meta Information: always Explicit VR Little Endian, group 0002.
        var meta = DataSet()
        if looksLikeMetaGroup(bytes, at: offset) {
            var parser = DataSetParser(bytes, offset: offset, explicitVR: true, bigEndian: false, file: file,
                                       maxDepth: options.maxDepth)
            meta = try parser.parseDataSet(end: bytes.count, depth: 0, onlyGroup: 0x0002)
            offset = parser.cursor.offset
        } else if hasPreamble {
            throw DICOMError.malformed(file: file, offset: offset, reason: "no File Meta Information after DICM")
        }
        var syntax: TransferSyntax
        if let uid = meta.string(.transferSyntaxUID), !uid.isEmpty {
            syntax = TransferSyntax.forUID(uid)
        } else {
            guard let guessed = guessEncoding(bytes, at: offset) else {
                throw hasPreamble || !meta.isEmpty
                    ? DICOMError.malformed(file: file, offset: offset, reason: "cannot determine the transfer syntax")
                    : DICOMError.notDICOM(file: file)
            }
            syntax = guessed
        }
        let dataSet: DataSet
        if syntax.deflated {
            let inflated = try inflate(UnsafeBufferPointer(rebasing: bytes[offset...]), file: file, limit: options.maxInflatedBytes)
            dataSet = try inflated.withUnsafeBufferPointer { try parseDataSet($0, offset: 0, syntax: syntax, file: file, options: options) }
        } else {
            dataSet = try parseDataSet(bytes, offset: offset, syntax: syntax, file: file, options: options)
        }
        if dataSet.isEmpty && meta.isEmpty { throw DICOMError.notDICOM(file: file) }
        return DICOMFile(meta: meta, dataSet: dataSet, transferSyntax: syntax, file: file, hasPreamble: hasPreamble)
    }

    /// The data set from `offset` to the end of `body`, in `syntax`'s encoding.
    private static func parseDataSet(_ body: UnsafeBufferPointer<UInt8>, offset: Int, syntax: TransferSyntax, file: String,
                                     options: Options) throws -> DataSet {
        // Some writers declare one VR encoding and use the other; follow the data (as pydicom does).
        var explicitVR = syntax.explicitVR
        if body.count >= offset + 6 {
            let hasVR = VR(rawValue: String(decoding: body[(offset + 4)..<(offset + 6)], as: UTF8.self)) != nil
            if explicitVR && !hasVR && !syntax.bigEndian { explicitVR = false }
            else if !explicitVR && hasVR { explicitVR = true }
        }
        var parser = DataSetParser(body, offset: offset, explicitVR: explicitVR, bigEndian: syntax.bigEndian,
                                   file: file, maxDepth: options.maxDepth)
        return try parser.parseDataSet(end: body.count, depth: 0)
    }

    /// (0002,xxxx) followed by a valid explicit VR.
    private static func looksLikeMetaGroup(_ b: UnsafeBufferPointer<UInt8>, at o: Int) -> Bool {
        guard b.count >= o + 6, b[o] == 0x02, b[o + 1] == 0x00 else { return false }
        return VR(rawValue: String(decoding: b[(o + 4)..<(o + 6)], as: UTF8.self)) != nil
    }

    /// Guesses the encoding of a data set without a transfer syntax from its first element.
    private static func guessEncoding(_ b: UnsafeBufferPointer<UInt8>, at o: Int) -> TransferSyntax? {
        guard b.count >= o + 8 else { return nil }
        let groupLE = UInt16(b[o]) | UInt16(b[o + 1]) << 8
        let groupBE = UInt16(b[o]) << 8 | UInt16(b[o + 1])
        let hasVR = VR(rawValue: String(decoding: b[(o + 4)..<(o + 6)], as: UTF8.self)) != nil
        if hasVR {
            if groupLE <= 0x00FF && groupLE >= 0x0002 { return .explicitVRLittleEndian }
            if groupBE <= 0x00FF && groupBE >= 0x0002 { return .explicitVRBigEndian }
            return nil
        }
        if groupLE >= 0x0002 && groupLE <= 0x00FF { return .implicitVRLittleEndian }
        return nil
    }

    private static func inflate(_ src: UnsafeBufferPointer<UInt8>, file: String, limit: Int) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = message.withUnsafeMutableBufferPointer { m in
            cinflate_raw(src.baseAddress, src.count, limit, &out, &size, m.baseAddress)
        }
        guard status == 0, let out else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DICOMError.malformed(file: file, offset: 0, reason: "deflated data set: \(reason)")
        }
        defer { cinflate_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}

extension DICOMFile {
    /// A file made in memory, for `DICOMWriter`: `meta` holds the File Meta attributes other than
    /// the group length, version and transfer syntax, which the writer fills in.
    public init(meta: DataSet = DataSet(), dataSet: DataSet, transferSyntax: TransferSyntax, file: String) {
        self.init(meta: meta, dataSet: dataSet, transferSyntax: transferSyntax, file: file, hasPreamble: true)
    }
}
