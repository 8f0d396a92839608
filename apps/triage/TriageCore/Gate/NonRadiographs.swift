import Foundation
package import Imaging
import ModelRuntime

/// The input gate's evaluation set: inputs that are not chest radiographs, made by code from a
/// fixed seed (nothing downloaded), each an 8-bit grey image as a file would decode to.
///
/// Two parts, never mixed: `fit` (seed 1, even-numbered validation radiographs) was looked at
/// while the limits were chosen; `heldOut` (seed 2, odd-numbered validation radiographs) chose
/// nothing and gives the refusal figure of the model card. Per part: generated kinds (constant,
/// noise, gradient, document, photo, colour photo as grey, CT-like slice, tiny, huge) and, from
/// the part's validation radiographs, radiographs rotated by 90° and 180°, inverted, and cropped.
package enum NonRadiographs {
    package enum Part: String, Sendable, CaseIterable {
        case fit
        case heldOut = "held_out"

        var seed: UInt64 { self == .fit ? 1 : 2 }
        /// Which validation radiographs the part transforms: even (fit) or odd (held out) CSV rows.
        var parity: Int { self == .fit ? 0 : 1 }
    }

    /// One input and what it is.
    package struct Sample: Sendable {
        package let kind: String
        package let image: Image
    }

    /// Generated images per kind and radiographs transformed per kind.
    static let perKind = 10
    static let radiographsPerKind = 25

    /// The part's inputs, the same for the same part and radiographs.
    /// - Parameter radiographs: validation radiographs in CSV order (grey, one channel; any size).
    package static func make(_ part: Part, radiographs: [Image]) -> [Sample] {
        var g = SeededGenerator(seed: part.seed, stream: "non-radiographs")
        var samples: [Sample] = []
        func add(_ kind: String, _ width: Int, _ height: Int, _ pixel: (Int, Int) -> Double) {
            var bytes = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height {
                for x in 0..<width { bytes[y * width + x] = UInt8(min(255, max(0, pixel(x, y) * 255).rounded())) }
            }
            samples.append(Sample(kind: kind, image: Image(width: width, height: height, colorModel: .gray, samples: .uint8(bytes))))
        }
        for i in 0..<perKind {
            let side = Int.random(in: 28...160, using: &g)
            let level = i == 0 ? 1.0 : i == 1 ? 0.0 : Double.random(in: 0...1, using: &g)
            add("constant", side, side) { _, _ in level }
            var noise = SeededGenerator(seed: g.next())
            let noiseSide = Int.random(in: 64...256, using: &g)
            add("noise", noiseSide, noiseSide) { _, _ in Double.random(in: 0...1, using: &noise) }
            let angle = Double.random(in: 0..<(2 * .pi), using: &g), low = Double.random(in: 0...0.5, using: &g)
            add("gradient", side, side) { x, y in
                low + (1 - low) * (0.5 + 0.5 * (cos(angle) * (Double(x) / Double(side) - 0.5) + sin(angle) * (Double(y) / Double(side) - 0.5)) * 1.4)
            }
            add("document", 2 * side, Int(2.8 * Double(side)), document(&g, width: 2 * side, height: Int(2.8 * Double(side))))
            add("photo", side, side, shapes(&g, side: side, colour: false))
            add("colour_photo_as_grey", side, side, shapes(&g, side: side, colour: true))
            add("ct_slice", side, side, ctSlice(&g, side: side))
            let tiny = Int.random(in: 1...8, using: &g)
            var tinyNoise = SeededGenerator(seed: g.next())
            add("tiny", tiny, tiny) { _, _ in Double.random(in: 0...1, using: &tinyNoise) }
        }
        let hugeLevel = UInt8.random(in: 0...255, using: &g)
        samples.append(Sample(kind: "huge", image: Image(width: 4000, height: 4000, colorModel: .gray,
                                                         samples: .uint8([UInt8](repeating: hugeLevel, count: 4000 * 4000)))))
        let chosen = radiographs.enumerated().filter { $0.offset % 2 == part.parity }.map(\.element).prefix(4 * radiographsPerKind)
        for (i, r) in chosen.enumerated() {
            let unit = PreparedInput.unitRange(r).floatSamples!
            let w = r.width, h = r.height
            func level(_ x: Int, _ y: Int) -> Double { Double(unit[y * w + x]) }
            switch i % 4 {
            case 0: add("rotated_90", h, w) { x, y in level(y, h - 1 - x) }
            case 1: add("rotated_180", w, h) { x, y in level(w - 1 - x, h - 1 - y) }
            case 2: add("inverted", w, h) { x, y in 1 - level(x, y) }
            default:
                // A quarter of the radiograph (a random corner region), enlarged to twice the size.
                let cw = w / 2, ch = h / 2
                let ox = Int.random(in: 0...(w - cw), using: &g), oy = Int.random(in: 0...(h - ch), using: &g)
                add("crop", 2 * w, 2 * h) { x, y in level(ox + x * cw / (2 * w), oy + y * ch / (2 * h)) }
            }
        }
        return samples
    }

    /// A white page with lines of dark glyph-like strokes.
    static func document(_ g: inout SeededGenerator, width: Int, height: Int) -> (Int, Int) -> Double {
        let lineHeight = max(4, height / Int.random(in: 18...30, using: &g))
        let ink = Double.random(in: 0...0.3, using: &g), paper = Double.random(in: 0.85...1, using: &g)
        var glyphs = [[Bool]]()
        for _ in 0..<64 { glyphs.append((0..<12).map { _ in Bool.random(using: &g) }) }  // 3×4 stroke masks
        let margin = width / 10
        return { x, y in
            let line = y / lineHeight, inLine = y % lineHeight
            guard x >= margin, x < width - margin, y >= margin, y < height - margin, inLine < lineHeight * 2 / 3 else { return paper }
            let glyphWidth = max(3, lineHeight / 2)
            let column = (x - margin) / glyphWidth
            if (column + line) % 7 == 6 { return paper }  // spaces between words
            let glyph = glyphs[(column &* 31 &+ line &* 17) & 63]
            let gx = min(2, (x - margin) % glyphWidth * 3 / glyphWidth), gy = min(3, inLine * 4 / max(1, lineHeight * 2 / 3))
            return glyph[gy * 3 + gx] ? ink : paper
        }
    }

    /// Smooth random shapes over a background gradient, as a natural photo's large regions;
    /// `colour`: each shape an RGB colour, shown by its luminance (a colour photo turned grey).
    static func shapes(_ g: inout SeededGenerator, side: Int, colour: Bool) -> (Int, Int) -> Double {
        struct Shape { let cx, cy, rx, ry, level: Double; let box: Bool }
        let count = Int.random(in: 4...12, using: &g)
        let shapes = (0..<count).map { _ in
            let level = colour
                ? 0.299 * Double.random(in: 0...1, using: &g) + 0.587 * Double.random(in: 0...1, using: &g) + 0.114 * Double.random(in: 0...1, using: &g)
                : Double.random(in: 0...1, using: &g)
            return Shape(cx: Double.random(in: 0...1, using: &g), cy: Double.random(in: 0...1, using: &g),
                         rx: Double.random(in: 0.05...0.4, using: &g), ry: Double.random(in: 0.05...0.4, using: &g),
                         level: level, box: Bool.random(using: &g))
        }
        let top = Double.random(in: 0...1, using: &g), bottom = Double.random(in: 0...1, using: &g)
        return { x, y in
            let u = (Double(x) + 0.5) / Double(side), v = (Double(y) + 0.5) / Double(side)
            var value = top + (bottom - top) * v
            for s in shapes {
                let dx = abs(u - s.cx) / s.rx, dy = abs(v - s.cy) / s.ry
                let inside = s.box ? max(dx, dy) : dx * dx + dy * dy
                if inside < 1 { value = s.level + 0.1 * (1 - inside) }
            }
            return value
        }
    }

    /// An axial CT-like slice as a windowed display: black air, a round body of soft tissue,
    /// two dark lungs, a bright spine and aorta, a grey heart (no DICOM tags to refuse it by).
    static func ctSlice(_ g: inout SeededGenerator, side: Int) -> (Int, Int) -> Double {
        let rx = Double.random(in: 0.38...0.47, using: &g), ry = rx * Double.random(in: 0.7...0.85, using: &g)
        let tissue = Double.random(in: 0.45...0.6, using: &g)
        return { x, y in
            let u = (Double(x) + 0.5) / Double(side) - 0.5, v = (Double(y) + 0.5) / Double(side) - 0.5
            func inside(_ cx: Double, _ cy: Double, _ ax: Double, _ ay: Double) -> Bool {
                let dx = (u - cx) / ax, dy = (v - cy) / ay
                return dx * dx + dy * dy < 1
            }
            guard inside(0, 0, rx, ry) else { return 0.02 }
            if inside(0, ry * 0.7, 0.05, 0.05) { return 0.95 }  // vertebra
            if inside(0.04, ry * 0.35, 0.035, 0.035) { return 0.75 }  // aorta
            if inside(-0.03, -ry * 0.1, rx * 0.3, ry * 0.35) { return tissue + 0.05 }  // heart
            if inside(-rx * 0.5, 0, rx * 0.35, ry * 0.7) || inside(rx * 0.5, 0, rx * 0.35, ry * 0.7) { return 0.08 }  // lungs
            return inside(0, 0, rx * 0.93, ry * 0.93) ? tissue : 0.3  // fat under the skin
        }
    }
}
