import ModelRuntime

/// How the heatmap of a decision is made. Every method gives one map per image over the whole
/// model input, row-major `[h, w]` at the method's resolution, in logit units of the decision's
/// margin (`TriageModel.decisionDirections`: the decided class's logit minus the other's):
/// positive where the image argues for the decision. `SaliencyMap` upsamples and rectifies it.
public enum HeatmapMethod: Sendable, Equatable, CustomStringConvertible {
    /// Class activation map of the last stage (Zhou et al. 2016): 7×7 on the 28×28 input.
    case cam
    /// Grad-CAM (`ResNet.gradCAM`) of stage `stage`, from 0: 14×14 for stage 1 and 28×28 for
    /// stage 0 on the 28×28 input; of the last stage it is the CAM divided by 7 · 7.
    case gradCAM(stage: Int)
    /// Occlusion sensitivity: the input is cut into `cell` × `cell` pixel cells; for each, the
    /// `2·cell` square centred on it (clipped at the borders) is set to the image's per-channel
    /// mean and the image scored again. The map's value at the cell is the margin's drop:
    /// `[H / cell, W / cell]`, one forward pass per cell.
    case occlusion(cell: Int)

    /// What `scan`, `explain`, `batch` and the pointing game use.
    public static let shipped = HeatmapMethod.cam

    /// Parses `description`: `cam`, `grad-cam:<stage>`, `occlusion:<cell>`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch (parts.first, parts.count == 2 ? Int(parts[1]) : nil) {
        case ("cam", _) where parts.count == 1: self = .cam
        case ("grad-cam", let stage?) where stage >= 0: self = .gradCAM(stage: stage)
        case ("occlusion", let cell?) where cell > 0: self = .occlusion(cell: cell)
        default: return nil
        }
    }

    /// Whether the method applies to a model of `spec`: an existing stage, a cell that divides
    /// the input's sides.
    public func fits(_ spec: TriageModelSpec) -> Bool {
        switch self {
        case .cam: true
        case .gradCAM(let stage): spec.architecture.depths.indices.contains(stage)
        case .occlusion(let cell): spec.input.width % cell == 0 && spec.input.height % cell == 0
        }
    }

    public var description: String {
        switch self {
        case .cam: "cam"
        case .gradCAM(let stage): "grad-cam:\(stage)"
        case .occlusion(let cell): "occlusion:\(cell)"
        }
    }
}

/// Which logit margin a heatmap explains.
public enum HeatmapTarget: String, Sendable, CaseIterable {
    /// The decision's (`TriageModel.decisionDirections`): what `scan`, `explain` and `batch` show.
    case decision
    /// The finding's: the positive class's logit minus the other's (two classes) or the positive
    /// class's logit, whatever the decision.
    case finding
}

extension TriageModel {
    /// Scores `images` `[N, channels, H, W]` and makes the heatmap of each image with `method`.
    ///
    /// - Returns: the forward pass and the maps `[N, h, w]` (see `HeatmapMethod`) of `target`.
    func heatmaps(_ images: Tensor, _ method: HeatmapMethod,
                  explaining target: HeatmapTarget = .decision) -> (output: ResNet.Output, maps: Tensor) {
        func directionsOf(_ logits: Tensor) -> Tensor {
            target == .decision ? decisionDirections(logits)
                : margins(for: Array(repeating: spec.positiveIndex, count: logits.shape[0]))  // the finding's
        }
        switch method {
        case .cam:
            let output = network.forward(images)
            let directions = directionsOf(output.logits).scalars
            let classes = spec.labels.count, batch = images.shape[0]
            var maps = [Float](repeating: 0, count: batch * output.features.shape[2] * output.features.shape[3])
            for k in 0..<classes {
                let weights = (0..<batch).map { directions[$0 * classes + k] }
                guard weights.contains(where: { $0 != 0 }) else { continue }
                let cam = network.classActivationMaps(output, class: k).scalars
                let plane = cam.count / batch
                for i in maps.indices { maps[i] += weights[i / plane] * cam[i] }
            }
            return (output, Tensor(shape: [batch, output.features.shape[2], output.features.shape[3]], values: maps))
        case .gradCAM(let stage):
            let pass = network.forward(images, keepingStage: stage)
            return (pass.output, network.gradCAM(pass, logitsGradient: directionsOf(pass.output.logits)))
        case .occlusion(let cell):
            let output = network.forward(images)
            return (output, occlusionMaps(images, directions: directionsOf(output.logits), logits: output.logits,
                                          cell: cell))
        }
    }

    /// `HeatmapMethod.occlusion` maps: `[N, H / cell, W / cell]`.
    ///
    /// - Parameters:
    ///   - images: `[N, C, H, W]`, `H` and `W` multiples of `cell`.
    ///   - directions: `[N, classes]`, the margin of each image (`decisionDirections`).
    ///   - logits: `[N, classes]`, the unoccluded images'.
    func occlusionMaps(_ images: Tensor, directions: Tensor, logits: Tensor, cell: Int) -> Tensor {
        let (batch, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        precondition(height % cell == 0 && width % cell == 0, "\(width)×\(height) input in cells of \(cell)")
        let rows = height / cell, columns = width / cell, plane = height * width, classes = logits.shape[1]
        let pixels = images.scalars, direction = directions.scalars, before = logits.scalars
        func margin(_ logits: ArraySlice<Float>, _ n: Int) -> Float {
            zip(logits, direction[(n * classes)..<((n + 1) * classes)]).reduce(0) { $0 + $1.0 * $1.1 }
        }
        // One image's occluded copies per forward pass, in chunks that bound the activations' memory.
        let chunk = 49
        var maps = [Float](repeating: 0, count: batch * rows * columns)
        for n in 0..<batch {
            let image = pixels[(n * channels * plane)..<((n + 1) * channels * plane)]
            let means = (0..<channels).map { c in
                image[(n * channels + c) * plane..<((n * channels + c + 1) * plane)].reduce(0, +) / Float(plane)
            }
            let base = margin(before[(n * classes)..<((n + 1) * classes)], n)
            for first in stride(from: 0, to: rows * columns, by: chunk) {
                let cells = first..<min(first + chunk, rows * columns)
                var copies = [Float]()
                copies.reserveCapacity(cells.count * channels * plane)
                for index in cells {
                    var copy = Array(image)
                    let (r, q) = (index / columns, index % columns)
                    let ys = max(0, r * cell - cell / 2)..<min(height, (r + 1) * cell + cell / 2)
                    let xs = max(0, q * cell - cell / 2)..<min(width, (q + 1) * cell + cell / 2)
                    for c in 0..<channels {
                        for y in ys { for x in xs { copy[c * plane + y * width + x] = means[c] } }
                    }
                    copies += copy
                }
                let occluded = network.forward(Tensor(shape: [cells.count, channels, height, width], values: copies))
                    .logits.scalars
                for (i, index) in cells.enumerated() {
                    maps[n * rows * columns + index] = base - margin(occluded[(i * classes)..<((i + 1) * classes)], n)
                }
            }
        }
        return Tensor(shape: [batch, rows, columns], values: maps)
    }
}
