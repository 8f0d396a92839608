/// Eight-float loads and stores at any alignment, for the loops written on `SIMD8<Float>`
/// (the compiler does not vectorise them itself: selects, or outputs that may alias inputs).
extension UnsafePointer where Pointee == Float {
    @inline(__always)
    func simd8(_ i: Int) -> SIMD8<Float> { UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Float>.self) }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always)
    func simd8(_ i: Int) -> SIMD8<Float> { UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Float>.self) }

    @inline(__always)
    func store(_ value: SIMD8<Float>, at i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}

extension UnsafePointer where Pointee == Float {
    /// The floats `i ..< min(i + 8, end)`, zero beyond: lets a loop's last, partial step use
    /// the same vector code.
    @inline(__always)
    func simd8(_ i: Int, end: Int) -> SIMD8<Float> {
        if i + 8 <= end { return simd8(i) }
        var v = SIMD8<Float>()
        for lane in 0..<max(0, end - i) { v[lane] = self[i + lane] }
        return v
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always)
    func simd8(_ i: Int, end: Int) -> SIMD8<Float> { UnsafePointer(self).simd8(i, end: end) }

    /// Stores the lanes that fall before `end`.
    @inline(__always)
    func store(_ value: SIMD8<Float>, at i: Int, end: Int) {
        if i + 8 <= end { return store(value, at: i) }
        for lane in 0..<max(0, end - i) { self[i + lane] = value[lane] }
    }
}
