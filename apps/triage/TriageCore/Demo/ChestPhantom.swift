import Foundation

/// A synthetic frontal chest-radiograph look-alike, drawn from a few shapes (not an image of
/// anyone, and not clinically meaningful): a body outline, two dark lungs, a bright
/// mediastinum and spine, ribs, and optionally a blurred bright opacity in a lung, with noise.
/// Values are display intensities, 0 (black) … 1 (white), as a radiograph is shown.
package struct ChestPhantom: Sendable {
    /// 0 (clear lungs) … 1 (a dense, large opacity).
    package var opacity: Double
    /// Which lung holds the opacity.
    package var rightLung: Bool

    package init(opacity: Double, rightLung: Bool = true) {
        self.opacity = opacity
        self.rightLung = rightLung
    }

    /// - Returns: `size` × `size` values, row-major, in 0…1.
    package func render(size: Int, generator: inout some RandomNumberGenerator) -> [Float] {
        precondition(size >= 16, "phantom size \(size)")
        let s = Double(size)
        func ellipse(_ x: Double, _ y: Double, _ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double) -> Double {
            let dx = (x - cx) / rx, dy = (y - cy) / ry
            return dx * dx + dy * dy
        }
        func smooth(_ d: Double, edge: Double = 0.08) -> Double { min(1, max(0, (1 - d) / edge)) }  // 1 inside, soft edge
        let centre = rightLung ? 0.31 : 0.69
        let blobX = centre + Double.random(in: -0.04...0.04, using: &generator)
        let blobY = 0.55 + Double.random(in: -0.08...0.08, using: &generator)
        let blobR = 0.06 + 0.08 * opacity
        var out = [Float](repeating: 0, count: size * size)
        for row in 0..<size {
            let y = (Double(row) + 0.5) / s
            for col in 0..<size {
                let x = (Double(col) + 0.5) / s
                let body = smooth(ellipse(x, y, 0.5, 0.56, 0.47, 0.54))
                var v = 0.04 + 0.5 * body
                let lungs = body * max(smooth(ellipse(x, y, 0.31, 0.46, 0.15, 0.3)), smooth(ellipse(x, y, 0.69, 0.46, 0.15, 0.3)))
                v -= 0.34 * lungs
                v += 0.16 * smooth(ellipse(x, y, 0.55, 0.66, 0.13, 0.15))  // heart
                v += 0.18 * body * smooth(abs(x - 0.5) / 0.035, edge: 0.5)  // spine
                let ribPhase: Double = (y + 0.32 * abs(x - 0.5)) * 18 * Double.pi
                let rib: Double = 0.5 + 0.5 * cos(ribPhase)
                v += 0.1 * lungs * pow(rib, 6)  // ribs across the lungs
                if opacity > 0 {
                    let d = ellipse(x, y, blobX, blobY, blobR, blobR * 1.3)
                    v += 0.5 * opacity * exp(-3 * d) * lungs
                }
                v += Double.random(in: -0.015...0.015, using: &generator)
                out[row * size + col] = Float(min(1, max(0, v)))
            }
        }
        return out
    }
}
