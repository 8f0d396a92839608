import Foundation
import ModelRuntime

/// Does the heatmap point at a finding? A pointing game with a planted one: a synthetic
/// opacity — a Gaussian bump of brightness, `amplitude` (display units 0…1) at its centre and
/// standard deviation `radius / 2` pixels — is added at a seeded random position inside the
/// central 60 % of each image (where the lungs are), on the model input. A **hit** is when the
/// peak of the resulting heatmap lies within `radius` pixels of the opacity's centre. A random
/// peak hits with the probability `chance` (the disc's share of the image), the bar to beat.
/// The heatmap is the decision's (what `explain` shows; on these images mostly the evidence for
/// `normal`, against which the opacity argues) or the finding's (`target`).
///
/// Run on radiographs without the finding (the `normal` label), so the planted opacity is the
/// only one; the mean deletion faithfulness (`Faithfulness`) of the decision's maps is reported
/// beside it.
public struct PointingGame: Sendable, Equatable, Encodable {
    public let images: Int
    public let hits: Int
    /// `hits / images`.
    public let hitRate: Double
    /// The hit rate of a peak drawn uniformly over the image.
    public let chance: Double
    /// Mean of the score with the opacity minus the score without it.
    public let meanScoreChange: Double
    /// Mean confidence drop when the top 10 % salient pixels are masked, and for random pixels.
    public let meanDeletionDrop: Double
    public let meanRandomDrop: Double
    public let radius: Double
    public let amplitude: Float
    /// How the maps were made (`HeatmapMethod.description`).
    public let heatmap: String
    /// Which margin the pointed-with map explains (`HeatmapTarget`).
    public let target: String

    /// - Parameters:
    ///   - heatmap: the map method under test.
    ///   - target: the margin whose map must point at the opacity.
    public static func play(model: TriageModel, inputs: [PreparedInput], heatmap: HeatmapMethod = .shipped,
                            target: HeatmapTarget = .decision, radius: Double = 3, amplitude: Float = 0.5,
                            seed: UInt64 = 0x9017) -> PointingGame {
        precondition(!inputs.isEmpty && radius > 0, "no images, or radius \(radius)")
        let (width, height) = (model.spec.input.width, model.spec.input.height)
        var generator = SeededGenerator(seed: seed, stream: "pointing-game")
        var hits = 0, scoreChange = 0.0, deletion = 0.0, random = 0.0
        let plain = model.scores(inputs)
        for (input, before) in zip(inputs, plain) {
            let cx = Double.random(in: 0.2...0.8, using: &generator) * Double(width)
            let cy = Double.random(in: 0.2...0.8, using: &generator) * Double(height)
            let planted = withOpacity(input, cx: cx, cy: cy, radius: radius, amplitude: amplitude, spec: model.spec.input)
            let after = model.predict([planted], heatmap: heatmap)[0]
            scoreChange += after.score - before
            var map = ActivationMap(after)
            if target == .finding && !after.positive {
                let maps = model.heatmaps(TriageModel.stack([planted.tensor]), heatmap, explaining: .finding).maps
                map = ActivationMap(values: maps.scalars, width: maps.shape[2], height: maps.shape[1])
            }
            let saliency = SaliencyMap(map, width: width, height: height,
                                       region: ImageRegion(x: 0, y: 0, width: width, height: height))
            if isHit(peak: saliency.mostSalient(fraction: 1 / Double(width * height))[0], width: width, cx: cx, cy: cy, radius: radius) {
                hits += 1
            }
            let f = Faithfulness.measure(model: model, input: planted, prediction: after)
            deletion += f.drop
            random += f.randomDrop
        }
        let n = Double(inputs.count)
        return PointingGame(images: inputs.count, hits: hits, hitRate: Double(hits) / n,
                            chance: discShare(width: width, height: height, radius: radius),
                            meanScoreChange: scoreChange / n, meanDeletionDrop: deletion / n, meanRandomDrop: random / n,
                            radius: radius, amplitude: amplitude, heatmap: heatmap.description,
                            target: target.rawValue)
    }

    /// Whether pixel `peak` (row-major index) has its centre within `radius` of (`cx`, `cy`).
    static func isHit(peak: Int, width: Int, cx: Double, cy: Double, radius: Double) -> Bool {
        let x = Double(peak % width) + 0.5, y = Double(peak / width) + 0.5
        return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius
    }

    /// The share of a `width` × `height` image's pixels whose centres lie within `radius` of a
    /// centre drawn like the opacity's (the mean over a grid of such centres).
    static func discShare(width: Int, height: Int, radius: Double) -> Double {
        var total = 0.0, samples = 0
        for gy in 0..<10 {
            for gx in 0..<10 {
                let cx = (0.2 + 0.6 * (Double(gx) + 0.5) / 10) * Double(width)
                let cy = (0.2 + 0.6 * (Double(gy) + 0.5) / 10) * Double(height)
                var inside = 0
                for p in 0..<(width * height) where isHit(peak: p, width: width, cx: cx, cy: cy, radius: radius) { inside += 1 }
                total += Double(inside) / Double(width * height)
                samples += 1
            }
        }
        return total / Double(samples)
    }

    /// `input` with the opacity added: `amplitude · exp(−d² / (2 (radius/2)²))` display units at
    /// distance `d` from the centre, the result capped at white (1), on the normalised input.
    static func withOpacity(_ input: PreparedInput, cx: Double, cy: Double, radius: Double, amplitude: Float,
                            spec: TriageModelSpec.Input) -> PreparedInput {
        let shape = input.tensor.shape
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        var values = input.tensor.scalars
        let sigma2 = 2 * (radius / 2) * (radius / 2)
        for c in 0..<channels {
            let mean = spec.mean[spec.mean.count == 1 ? 0 : c], std = spec.std[spec.std.count == 1 ? 0 : c]
            for y in 0..<height {
                for x in 0..<width {
                    let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                    let bump = amplitude * Float(exp(-(dx * dx + dy * dy) / sigma2))
                    let index = (c * height + y) * width + x
                    values[index] = (min(values[index] * std + mean + bump, 1) - mean) / std
                }
            }
        }
        return PreparedInput(tensor: Tensor(shape: shape, values: values), format: input.format, dicom: input.dicom, gray: input.gray)
    }
}
