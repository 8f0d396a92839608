/// A lookup from one code point to a short sequence of code points, built once from one of
/// the flat generated tables (`[code point, count, mapped...]` records).
struct ScalarMap: Sendable {
    private let values: [UInt32]
    /// Code point → (offset into `values`, count).
    private let index: [UInt32: (offset: Int32, count: Int32)]

    init(flat: [UInt32]) {
        var index: [UInt32: (offset: Int32, count: Int32)] = [:]
        var i = 0
        while i < flat.count {
            let count = Int(flat[i + 1])
            index[flat[i]] = (Int32(i + 2), Int32(count))
            i += 2 + count
        }
        self.values = flat
        self.index = index
    }

    /// The mapped code points, or nil when the code point maps to itself.
    @inline(__always)
    func mapping(of c: UInt32) -> ArraySlice<UInt32>? {
        guard let entry = index[c] else { return nil }
        return values[Int(entry.offset)..<Int(entry.offset + entry.count)]
    }

    static let canonicalDecomposition = ScalarMap(flat: canonicalDecompositionMap)
    static let lowercase = ScalarMap(flat: lowercaseMap)
}
