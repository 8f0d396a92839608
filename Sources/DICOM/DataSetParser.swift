/// Reads data set elements from a byte stream in one encoding (implicit or explicit VR, either
/// byte order), including sequences and items of defined or undefined length and encapsulated
/// pixel data. Nesting deeper than `maxDepth` is refused so a hostile file cannot exhaust the stack.
struct DataSetParser {
    var cursor: ByteCursor
    var explicitVR: Bool
    let maxDepth: Int

    static let undefinedLength: UInt32 = 0xFFFF_FFFF

    /// - Parameter bytes: borrowed for the parser's lifetime (values are copied out).
    init(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int, explicitVR: Bool, bigEndian: Bool, file: String, maxDepth: Int = 16) {
        cursor = ByteCursor(bytes, offset: offset, bigEndian: bigEndian, file: file)
        self.explicitVR = explicitVR
        self.maxDepth = maxDepth
    }

    /// Parses elements until `end` (exclusive), an item delimiter (when `inItem`), or, with
    /// `stopBefore`, the first element whose group differs from `onlyGroup`.
    mutating func parseDataSet(end: Int, depth: Int, inItem: Bool = false, onlyGroup: UInt16? = nil) throws -> DataSet {
        guard depth <= maxDepth else { throw cursor.error("sequences nested deeper than \(maxDepth) levels") }
        var set = DataSet(bigEndian: cursor.bigEndian)
        while cursor.offset < end {
            if let only = onlyGroup, let next = cursor.peekTag(), next.group != only { break }
            let start = cursor.offset
            let group = try cursor.u16(), elementNumber = try cursor.u16()
            let tag = Tag(group, elementNumber)
            if tag == .itemDelimitationItem {
                _ = try cursor.u32()
                if inItem { return set }
                throw cursor.error("item delimiter outside an item", at: start)
            }
            if tag == .sequenceDelimitationItem || tag == .item {
                throw cursor.error("unexpected \(tag == .item ? "item" : "sequence delimiter") \(tag) in a data set", at: start)
            }
            let (vr, length) = try header(tag: tag)
            let element = try value(tag: tag, vr: vr, length: length, depth: depth, start: start)
            set[tag] = element
        }
        if inItem && end == Int.max {
            throw cursor.error("item without an item delimiter (truncated file?)")
        }
        return set
    }

    /// VR and length of an element whose tag has just been read.
    private mutating func header(tag: Tag) throws -> (VR, UInt32) {
        if !explicitVR {
            let length = try cursor.u32()
            return (implicitVR(tag), length)
        }
        try cursor.need(2, "the VR of \(tag)")
        let a = cursor.bytes[cursor.offset], b = cursor.bytes[cursor.offset + 1]
        guard (0x41...0x5A).contains(a), (0x41...0x5A).contains(b),
              let vr = VR(rawValue: String(decoding: [a, b], as: UTF8.self)) else {
            throw cursor.error("element \(tag) has an invalid VR (bytes \(a), \(b))")
        }
        cursor.offset += 2
        if vr.hasLongLength {
            _ = try cursor.u16()
            return (vr, try cursor.u32())
        }
        return (vr, UInt32(try cursor.u16()))
    }

    private func implicitVR(_ tag: Tag) -> VR {
        if tag.isPrivate { return tag.element >= 0x0010 && tag.element <= 0x00FF ? .LO : .UN }
        return DataDictionary.entry(for: tag)?.vr ?? .UN
    }

    private mutating func value(tag: Tag, vr: VR, length: UInt32, depth: Int, start: Int) throws -> DataElement {
        if length == Self.undefinedLength {
            if tag == .pixelData && vr != .SQ && vr != .UN {
                return DataElement(tag: tag, vr: vr, value: .fragments(try fragments()), undefinedLength: true)
            }
            guard vr == .SQ || vr == .UN || !explicitVR else {
                throw cursor.error("element \(tag) with VR \(vr.rawValue) has undefined length", at: start)
            }
            // UN of undefined length is an implicit VR little endian sequence (PS3.5 §6.2.2).
            let switchToImplicit = vr == .UN && explicitVR
            let saved = (explicitVR, cursor.bigEndian)
            if switchToImplicit { explicitVR = false; cursor.bigEndian = false }
            defer { if switchToImplicit { (explicitVR, cursor.bigEndian) = saved } }
            let items = try sequenceItems(end: Int.max, depth: depth)
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items), undefinedLength: true)
        }
        let n = Int(length)
        guard n <= cursor.remaining else {
            throw cursor.error("element \(tag) declares \(n) bytes but \(cursor.remaining) remain", at: start)
        }
        // UN for a standard attribute: read it as its dictionary VR (as pydicom does); an SQ
        // hidden in UN is implicit VR little endian.
        if vr == .UN && explicitVR && !tag.isPrivate, let known = DataDictionary.entry(for: tag)?.vr, known != .UN {
            if known == .SQ {
                let saved = (explicitVR, cursor.bigEndian)
                (explicitVR, cursor.bigEndian) = (false, false)
                defer { (explicitVR, cursor.bigEndian) = saved }
                let items = try sequenceItems(end: cursor.offset + n, depth: depth)
                return DataElement(tag: tag, vr: .SQ, value: .sequence(items))
            }
            return DataElement(tag: tag, vr: known, value: .bytes(try cursor.take(n, "value of \(tag)")))
        }
        if vr == .SQ {
            let items = try sequenceItems(end: cursor.offset + n, depth: depth)
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items))
        }
        return DataElement(tag: tag, vr: vr, value: .bytes(try cursor.take(n, "value of \(tag)")))
    }

    /// Items up to `end` (defined-length sequence) or the sequence delimiter (`end == .max`).
    private mutating func sequenceItems(end: Int, depth: Int) throws -> [DataSet] {
        guard depth + 1 <= maxDepth else { throw cursor.error("sequences nested deeper than \(maxDepth) levels") }
        var items: [DataSet] = []
        while cursor.offset < end {
            let start = cursor.offset
            if end == Int.max && cursor.remaining == 0 {
                throw cursor.error("sequence without a sequence delimiter (truncated file?)")
            }
            let tag = Tag(try cursor.u16(), try cursor.u16())
            let length = try cursor.u32()
            if tag == .sequenceDelimitationItem {
                if end == Int.max { return items }
                continue  // tolerated inside a defined-length sequence
            }
            guard tag == .item else { throw cursor.error("expected an item in a sequence, found \(tag)", at: start) }
            if length == Self.undefinedLength {
                items.append(try parseDataSet(end: Int.max, depth: depth + 1, inItem: true))
            } else {
                let n = Int(length)
                guard n <= cursor.remaining else {
                    throw cursor.error("item declares \(n) bytes but \(cursor.remaining) remain", at: start)
                }
                let itemEnd = cursor.offset + n
                items.append(try parseDataSet(end: itemEnd, depth: depth + 1))
                guard cursor.offset == itemEnd else { throw cursor.error("item contents overrun its length", at: start) }
            }
        }
        if end == Int.max { throw cursor.error("sequence without a sequence delimiter (truncated file?)") }
        return items
    }

    /// Encapsulated pixel data items (offset table first) up to the sequence delimiter.
    private mutating func fragments() throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while true {
            let start = cursor.offset
            let tag = Tag(try cursor.u16(), try cursor.u16())
            let length = try cursor.u32()
            if tag == .sequenceDelimitationItem { return out }
            guard tag == .item else { throw cursor.error("expected a pixel data item, found \(tag)", at: start) }
            guard length != Self.undefinedLength else { throw cursor.error("pixel data fragment of undefined length", at: start) }
            out.append(try cursor.take(Int(length), "pixel data fragment"))
        }
    }
}
