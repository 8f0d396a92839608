import Foundation

/// An ordered collection of attributes with typed accessors. Text is decoded as UTF-8
/// (ISO-IR 6/ISO-IR 192), falling back to Latin-1 byte by byte.
public struct DataSet: Sendable {
    private var storage: [Tag: DataElement] = [:]
    /// Byte order of binary values in this data set.
    public var bigEndian: Bool

    public init(bigEndian: Bool = false) { self.bigEndian = bigEndian }

    public var isEmpty: Bool { storage.isEmpty }
    public var count: Int { storage.count }
    /// The tags in ascending order (the order of a written file).
    package var tags: [Tag] { storage.keys.sorted() }
    /// Elements in ascending tag order.
    package var elements: [DataElement] { tags.map { storage[$0]! } }

    public subscript(tag: Tag) -> DataElement? {
        get { storage[tag] }
        set { storage[tag] = newValue }
    }

    public func contains(_ tag: Tag) -> Bool { storage[tag] != nil }

    public mutating func remove(_ tag: Tag) { storage[tag] = nil }

    /// Sets a text value (padded to even length: UI with NUL, others with a space).
    public mutating func setString(_ tag: Tag, _ value: String, vr: VR? = nil) {
        let vr = vr ?? storage[tag]?.vr ?? DataDictionary.entry(for: tag)?.vr ?? .LO
        var bytes = Array(value.utf8)
        if bytes.count % 2 == 1 { bytes.append(vr == .UI ? 0 : 0x20) }
        storage[tag] = DataElement(tag: tag, vr: vr, value: .bytes(bytes))
    }

    // MARK: typed access

    /// All values of a text element, split at backslashes, trailing spaces/NULs removed
    /// (leading spaces too, except for LT/ST/UT, which are single-valued).
    public func strings(_ tag: Tag) -> [String]? {
        guard let e = storage[tag], case .bytes(let b) = e.value else { return nil }
        let text = Self.decodeText(b)
        let parts = (e.vr == .LT || e.vr == .ST || e.vr == .UT || e.vr == .UR) ? [Substring(text)] : text.split(separator: "\\", omittingEmptySubsequences: false)
        return parts.map { part in
            var s = part
            while let l = s.last, l == " " || l == "\0" { s = s.dropLast() }
            if e.vr != .LT && e.vr != .ST && e.vr != .UT { while let f = s.first, f == " " { s = s.dropFirst() } }
            return String(s)
        }
    }

    /// The first value of a text element (or the number of a binary one as text).
    public func string(_ tag: Tag) -> String? {
        guard let e = storage[tag] else { return nil }
        if e.vr.isText { return strings(tag)?.first }
        if let n = doubles(tag)?.first { return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n) }
        return nil
    }

    /// Numeric values of IS/DS (text) or US/SS/UL/SL/FL/FD/SV/UV (binary) elements; nil when absent
    /// or unparsable.
    public func doubles(_ tag: Tag) -> [Double]? {
        guard let e = storage[tag], case .bytes(let b) = e.value else { return nil }
        switch e.vr {
        case .IS, .DS:
            guard let parts = strings(tag) else { return nil }
            let values = parts.filter { !$0.isEmpty }.map { Double($0) }
            return values.contains(where: { $0 == nil }) ? nil : values.map { $0! }
        case .US, .SS, .UL, .SL, .FL, .FD, .SV, .UV, .OW, .OB, .AT:
            return binaryNumbers(b, vr: e.vr)
        default:
            return nil
        }
    }

    public func double(_ tag: Tag) -> Double? { doubles(tag)?.first }

    /// Integer values (DS values must be whole numbers).
    package func ints(_ tag: Tag) -> [Int]? {
        guard let d = doubles(tag) else { return nil }
        guard d.allSatisfy({ $0 == $0.rounded() && abs($0) < 9e15 }) else { return nil }
        return d.map { Int($0) }
    }

    public func int(_ tag: Tag) -> Int? { ints(tag)?.first }

    /// Items of a sequence element.
    package func sequence(_ tag: Tag) -> [DataSet]? {
        guard let e = storage[tag], case .sequence(let items) = e.value else { return nil }
        return items
    }

    private func binaryNumbers(_ b: [UInt8], vr: VR) -> [Double] {
        let size = vr == .OB ? 1 : (vr.wordSize ?? 1)
        let n = b.count / size
        var out = [Double]()
        out.reserveCapacity(n)
        for i in 0..<n {
            var raw: UInt64 = 0
            for k in 0..<size {
                let byte = UInt64(b[i * size + (bigEndian ? size - 1 - k : k)])
                raw |= byte << (8 * UInt64(k))
            }
            switch vr {
            case .SS: out.append(Double(Int16(truncatingIfNeeded: raw)))
            case .SL: out.append(Double(Int32(truncatingIfNeeded: raw)))
            case .SV: out.append(Double(Int64(bitPattern: raw)))
            case .FL, .OF: out.append(Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw))))
            case .FD, .OD: out.append(Double(bitPattern: raw))
            default: out.append(Double(raw))
            }
        }
        return out
    }

    static func decodeText(_ b: [UInt8]) -> String {
        if let s = String(validating: b, as: UTF8.self) { return s }
        return String(b.map { Character(Unicode.Scalar($0)) })
    }
}
