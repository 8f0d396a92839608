/// Text after normalization, with each code point aligned to the original code point it
/// came from.
///
/// Every normalizer step of BERT maps one original code point to zero or more new ones
/// (removal, replacement, CJK spacing, decomposition, lowercase expansion), so a single
/// origin index per normalized code point is enough to recover character offsets.
struct NormalizedText {
    /// Normalized code points.
    var scalars: [UInt32] = []
    /// For each normalized code point, the index of its source code point in the original text.
    var origins: [Int32] = []

    init() {}

    init(reservingCapacity n: Int) {
        scalars.reserveCapacity(n)
        origins.reserveCapacity(n)
    }

    @inline(__always)
    mutating func append(_ scalar: UInt32, origin: Int) {
        scalars.append(scalar)
        origins.append(Int32(truncatingIfNeeded: origin))
    }

    mutating func removeAll() {
        scalars.removeAll(keepingCapacity: true)
        origins.removeAll(keepingCapacity: true)
    }
}
