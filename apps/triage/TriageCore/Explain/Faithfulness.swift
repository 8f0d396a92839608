import ModelRuntime

/// How much the heatmap explains the decision (a deletion test): the `topFraction` most salient
/// pixels of the model input are set to the input's per-channel mean and the image is scored
/// again; a faithful map makes the confidence in the decision drop. The same number of random
/// pixels is masked as a baseline (seeded, so runs repeat): a map is informative when its drop
/// clearly exceeds the random one.
///
/// Masking happens on the model input (`PreparedInput.tensor`, at its resolution, with the
/// activation map upsampled to it), so the test measures exactly what the model saw.
public struct Faithfulness: Sendable, Equatable, Encodable {
    /// Fraction of pixels masked, 0…1.
    package let topFraction: Double
    /// Probability of the decided class (the finding when positive, its absence otherwise).
    public let confidence: Double
    package let maskedConfidence: Double
    /// `confidence − maskedConfidence`: positive when masking the salient pixels hurts.
    package let drop: Double
    package let randomMaskedConfidence: Double
    package let randomDrop: Double

    /// - Parameters:
    ///   - prediction: the model's prediction for `input` (its map and decision are tested).
    public static func measure(model: TriageModel, input: PreparedInput, prediction: Prediction,
                               topFraction: Double = 0.1, seed: UInt64 = 0x5EED) -> Faithfulness {
        precondition(topFraction > 0 && topFraction <= 1, "top fraction \(topFraction)")
        let shape = input.tensor.shape
        precondition(shape.count == 3, "model input [channels, height, width], got \(shape)")
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let salient = SaliencyMap(ActivationMap(prediction), width: width, height: height,
                                  region: ImageRegion(x: 0, y: 0, width: width, height: height)).mostSalient(fraction: topFraction)
        var generator = SeededGenerator(seed: seed, stream: "faithfulness")
        var shuffled = Array(0..<(width * height))
        shuffled.shuffle(using: &generator)
        let random = Array(shuffled.prefix(salient.count))

        func masked(_ pixels: [Int]) -> PreparedInput {
            var values = input.tensor.scalars
            let plane = width * height
            for c in 0..<channels {
                let slice = values[(c * plane)..<((c + 1) * plane)]
                let mean = slice.reduce(0, +) / Float(plane)
                for p in pixels { values[c * plane + p] = mean }
            }
            return PreparedInput(tensor: Tensor(shape: shape, values: values), format: input.format, dicom: input.dicom,
                                 gray: input.gray)
        }
        let scores = model.scores([masked(salient), masked(random)])
        func confidence(_ score: Double) -> Double { prediction.positive ? score : 1 - score }
        let base = confidence(prediction.score), top = confidence(scores[0]), baseline = confidence(scores[1])
        return Faithfulness(topFraction: topFraction, confidence: base, maskedConfidence: top, drop: base - top,
                            randomMaskedConfidence: baseline, randomDrop: base - baseline)
    }
}
