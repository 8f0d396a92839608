import Foundation
package import ModelRuntime

extension FramingCheck {
    /// Share of the validation radiographs at or below the threshold.
    static let passQuantile = 0.9975

    /// Fits the regression on training vectors (target 0) and framed ones (target 1), and the
    /// threshold, the `passQuantile` quantile of the validation radiographs' scores.
    /// - Parameters: joined vectors `[layout vector, whitened features]`, each `[N][dimension]`.
    package static func fit(train: [[Double]], framed: [[Double]], validation: [[Double]],
                            passQuantile: Double = passQuantile) -> FramingCheck {
        let weights = LogisticRegression.fit(train + framed, targets: [Double](repeating: 0, count: train.count)
                                                + [Double](repeating: 1, count: framed.count))
        var check = FramingCheck(weights: weights.map { Float($0) }, threshold: 0, thresholdRule: "")
        check.threshold = Mahalanobis.threshold(validation.map(check.score), quantile: passQuantile)
        check.thresholdRule = String(format: "the %g%% quantile of the framing scores of the %d validation radiographs",
                                     100 * passQuantile, validation.count)
        return check
    }

    /// How a training image is turned or cut to make a framing negative.
    package enum Framing: CaseIterable {
        case rotated90, rotated180, rotated270, upsideDown, crop
    }

    /// The framing negatives of training inputs: per input, one seeded random turn or crop, and one more crop.
    /// - Parameter inputs: `[channels, height, width]` each.
    /// - Returns: `2 · inputs.count` inputs of the same shapes.
    package static func negatives(of inputs: [Tensor], seed: UInt64 = 0x1a70) -> [Tensor] {
        var generator = SeededGenerator(seed: seed, stream: "framing")
        return inputs.flatMap { input in
            let kind = Framing.allCases.randomElement(using: &generator)!
            return [framed(input, kind, &generator), framed(input, .crop, &generator)]
        }
    }

    /// A model input turned or cut, of the same shape.
    /// - Parameters:
    ///   - input: `[channels, height, width]`.
    ///   - kind: 90° and 270° turns of a non-square input become 180°; `crop` enlarges a
    ///     seeded random window of `1/zoom` of each side (zoom 1.5…2.5) back to full size,
    ///     bilinearly with pixel centres aligned.
    package static func framed(_ input: Tensor, _ kind: Framing, _ generator: inout SeededGenerator) -> Tensor {
        let channels = input.shape[0], h = input.shape[1], w = input.shape[2]
        let source = input.scalars, plane = h * w
        let kind = (kind == .rotated90 || kind == .rotated270) && h != w ? .rotated180 : kind
        var window = (x: 0.0, y: 0.0, zoom: 1.0)
        if kind == .crop {
            let zoom = Double.random(in: 1.5...2.5, using: &generator)
            window = (Double.random(in: 0...(Double(w) - Double(w) / zoom), using: &generator),
                      Double.random(in: 0...(Double(h) - Double(h) / zoom), using: &generator), zoom)
        }
        return Tensor(shape: input.shape) { out in
            for c in 0..<channels {
                let base = c * plane
                func at(_ x: Int, _ y: Int) -> Float { source[base + y * w + x] }
                for y in 0..<h {
                    for x in 0..<w {
                        let value: Float
                        switch kind {
                        case .rotated90: value = at(y, w - 1 - x)
                        case .rotated180: value = at(w - 1 - x, h - 1 - y)
                        case .rotated270: value = at(h - 1 - y, x)
                        case .upsideDown: value = at(x, h - 1 - y)
                        case .crop:
                            let sx = min(max(window.x + (Double(x) + 0.5) / window.zoom - 0.5, 0), Double(w - 1))
                            let sy = min(max(window.y + (Double(y) + 0.5) / window.zoom - 0.5, 0), Double(h - 1))
                            let x0 = Int(sx), y0 = Int(sy), x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
                            let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                            value = (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy
                        }
                        out[base + y * w + x] = value
                    }
                }
            }
        }
    }
}
