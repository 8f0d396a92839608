/// The EXIF Orientation tag (0x0112): how the stored pixels must be turned to display upright.
/// Raw values 1–8; the transforms match Pillow's `ImageOps.exif_transpose`.
public enum ExifOrientation: Int, Sendable, Equatable {
    case up = 1, mirrored = 2, rotated180 = 3, flippedVertically = 4
    case transposed = 5, rotatedClockwise = 6, transversed = 7, rotatedCounterClockwise = 8

    /// Whether the displayed image has width and height swapped.
    public var swapsAxes: Bool { rawValue >= 5 }

    /// Reads the orientation from a TIFF-structured EXIF payload (after "Exif\0\0").
    /// Anything malformed yields `.up`: orientation is advisory.
    static func parse<C: Collection>(tiff: C) -> ExifOrientation where C.Element == UInt8, C.Index == Int {
        let b = Array(tiff)
        guard b.count >= 8 else { return .up }
        let little: Bool
        switch (b[0], b[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return .up
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= b.count else { return nil }
            return little ? Int(b[o]) | Int(b[o + 1]) << 8 : Int(b[o]) << 8 | Int(b[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let lo = u16(little ? o : o + 2), let hi = u16(little ? o + 2 : o) else { return nil }
            return lo | hi << 16
        }
        guard let ifd = u32(4), let entries = u16(ifd) else { return .up }
        for i in 0..<min(entries, 1000) {
            let entry = ifd + 2 + i * 12
            guard let tag = u16(entry) else { return .up }
            if tag == 0x0112, let type = u16(entry + 2), type == 3, let value = u16(entry + 8) {
                return ExifOrientation(rawValue: value) ?? .up
            }
        }
        return .up
    }
}

extension Image {
    /// The image turned upright according to `orientation` (Pillow's `exif_transpose` transforms).
    func oriented(_ orientation: ExifOrientation) -> Image {
        if orientation == .up { return self }
        let w = width, h = height
        let (ow, oh) = orientation.swapsAxes ? (h, w) : (w, h)
        // Source index of output pixel (x, y).
        let source: (Int, Int) -> Int
        switch orientation {
        case .up: source = { x, y in y * w + x }
        case .mirrored: source = { x, y in y * w + (w - 1 - x) }
        case .rotated180: source = { x, y in (h - 1 - y) * w + (w - 1 - x) }
        case .flippedVertically: source = { x, y in (h - 1 - y) * w + x }
        case .transposed: source = { x, y in x * w + y }
        case .rotatedClockwise: source = { x, y in (h - 1 - x) * w + y }
        case .transversed: source = { x, y in (h - 1 - x) * w + (w - 1 - y) }
        case .rotatedCounterClockwise: source = { x, y in x * w + (w - 1 - y) }
        }
        func remap<T>(_ a: [T], planar: Bool) -> [T] {
            let c = channels
            return [T](unsafeUninitializedCapacity: a.count) { out, n in
                a.withUnsafeBufferPointer { src in
                    if planar {
                        for p in 0..<c {
                            let plane = p * w * h
                            for y in 0..<oh { for x in 0..<ow { out[plane + y * ow + x] = src[plane + source(x, y)] } }
                        }
                    } else {
                        for y in 0..<oh {
                            for x in 0..<ow {
                                let s = source(x, y) * c, d = (y * ow + x) * c
                                for k in 0..<c { out[d + k] = src[s + k] }
                            }
                        }
                    }
                }
                n = a.count
            }
        }
        let samples: Samples
        switch self.samples {
        case .uint8(let a): samples = .uint8(remap(a, planar: false))
        case .uint16(let a): samples = .uint16(remap(a, planar: false))
        case .float32(let a): samples = .float32(remap(a, planar: true))
        }
        return Image(width: ow, height: oh, colorModel: colorModel, samples: samples)
    }
}
