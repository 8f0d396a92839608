/// Viridis, matplotlib's perceptually uniform colour map (dark purple → blue → green →
/// yellow; readable in grayscale and by most colour-blind readers): its 10 evenly spaced
/// colours (R's `viridis(10)`), linearly interpolated in between.
enum Viridis {
    static let stops: [(UInt8, UInt8, UInt8)] = [
        (0x44, 0x01, 0x54), (0x48, 0x28, 0x78), (0x3E, 0x4A, 0x89), (0x31, 0x68, 0x8E), (0x26, 0x82, 0x8E),
        (0x1F, 0x9E, 0x89), (0x35, 0xB7, 0x79), (0x6D, 0xCD, 0x59), (0xB4, 0xDE, 0x2C), (0xFD, 0xE7, 0x25),
    ]

    /// 256 RGB entries, index = value × 255.
    static let table: [(r: Float, g: Float, b: Float)] = (0..<256).map { i in
        let position = Float(i) / 255 * Float(stops.count - 1)
        let lower = min(Int(position), stops.count - 2)
        let t = position - Float(lower)
        let a = stops[lower], b = stops[lower + 1]
        func mix(_ x: UInt8, _ y: UInt8) -> Float { (Float(x) * (1 - t) + Float(y) * t) / 255 }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// The colour of `value` (clamped to 0…1), each channel 0…1.
    static func color(_ value: Float) -> (r: Float, g: Float, b: Float) {
        table[Int((min(max(value, 0), 1) * 255).rounded())]
    }
}
