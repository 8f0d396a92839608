import Foundation
package import ModelRuntime
import SuiteFoundation

/// The second learned check of the input gate (`input_gate.layout` in model.json): is the model
/// input laid out like a chest radiograph?
///
/// The pooled features of `FeatureGate` average over space, so they barely change when a film is
/// turned upside down, cropped to one lung, or replaced by a smooth photo of similar texture.
/// This check keeps space. Its vector (`vector`, `dimension` values) describes the model input
/// `[channels, height, width]`, averaged over channels and standardised per image (zero mean,
/// unit variance: brightness and contrast do not count):
/// - the mean of each cell of a `grid × grid` partition (where the bright and dark regions lie);
/// - the mean edge strength `|∂x| + |∂y|` of each cell of a `grid/2 × grid/2` partition (where
///   the fine structure lies, and how sharp it is: an enlarged crop is blurred).
///
/// The score, the **layout distance**, is the squared Mahalanobis distance of the vector to the
/// nearer class mean (`Mahalanobis`, fitted on the training images), refused above `threshold`
/// (a high quantile of the validation radiographs). The vector is also half of the input of
/// the framing check (`FramingCheck`).
///
/// ```json
/// "layout": {"grid": 14, "class_means": [[...], [...]], "covariance_cholesky": [...], "shrinkage": 0.1,
///            "threshold": 389.2, "threshold_rule": "..."}
/// ```
package struct LayoutGate: Codable, Sendable, Equatable {
    /// Cells per side of the partition of the model input (the edge cells: `grid / 2`).
    package var grid: Int
    /// `[classes][dimension]`, in label order.
    package var classMeans: [[Float]]
    /// The lower triangle of `L` (`Σ = L Lᵀ`), packed row by row: `dimension · (dimension + 1) / 2` values.
    package var covarianceCholesky: [Float]
    /// Ridge added to the covariance before factoring, as a fraction of its mean variance.
    package var shrinkage: Double
    /// Refuse when the layout distance `d²` exceeds this.
    package var threshold: Double
    /// How `threshold` was chosen.
    package var thresholdRule: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case grid
        case classMeans = "class_means"
        case covarianceCholesky = "covariance_cholesky"
        case shrinkage, threshold
        case thresholdRule = "threshold_rule"
    }

    package init(grid: Int, classMeans: [[Float]], covarianceCholesky: [Float], shrinkage: Double, threshold: Double,
                 thresholdRule: String) {
        self.grid = grid
        self.classMeans = classMeans
        self.covarianceCholesky = covarianceCholesky
        self.shrinkage = shrinkage
        self.threshold = threshold
        self.thresholdRule = thresholdRule
    }

    package init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, keys: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        grid = try c.decode(Int.self, forKey: .grid)
        classMeans = try c.decode([[Float]].self, forKey: .classMeans)
        covarianceCholesky = try c.decode([Float].self, forKey: .covarianceCholesky)
        shrinkage = try c.decode(Double.self, forKey: .shrinkage)
        threshold = try c.decode(Double.self, forKey: .threshold)
        thresholdRule = try c.decode(String.self, forKey: .thresholdRule)
    }

    /// Length of `vector` for a grid: `grid² + (grid / 2)²`.
    package static func dimension(grid: Int) -> Int { grid * grid + (grid / 2) * (grid / 2) }

    /// Checks the shapes against the model input (at load time): the detail of a mismatch, or nil.
    func problem(classes: Int, input: TriageModelSpec.Input) -> String? {
        guard grid >= 2, grid < min(input.width, input.height) else {
            return "grid \(grid) must be 2…\(min(input.width, input.height) - 1) (the input is \(input.width)×\(input.height))"
        }
        let d = Self.dimension(grid: grid)
        if let problem = Mahalanobis.problem(classMeans: classMeans, covarianceCholesky: covarianceCholesky, classes: classes, d: d) {
            return problem
        }
        guard threshold > 0, threshold.isFinite else { return "threshold must be positive, got \(threshold)" }
        return nil
    }

    /// The layout vector of one model input.
    /// - Parameters:
    ///   - input: `[channels, height, width]` (the normalised model input), each side > `grid`.
    ///   - grid: cells per side; cell `(i, j)` of an `n`-cell partition covers rows
    ///     `⌊i·h/n⌋ ..< ⌊(i+1)·h/n⌋` and likewise columns (edges: pixel `(x, y)` with its right
    ///     and lower neighbours, counted in the cell of `(x, y)`).
    /// - Returns: `[dimension(grid)]`: `grid²` standardised cell means, then `(grid/2)²` mean edge
    ///   strengths in standard deviations per pixel, both row-major; all zeros for a constant input.
    package static func vector(_ input: Tensor, grid: Int) -> [Double] {
        let channels = input.shape[0], height = input.shape[1], width = input.shape[2]
        precondition(input.shape.count == 3 && height > grid && width > grid, "input \(input.shape) for grid \(grid)")
        let values = input.scalars, count = height * width
        var plane = [Double](repeating: 0, count: count)
        for c in 0..<channels { for p in 0..<count { plane[p] += Double(values[c * count + p]) / Double(channels) } }
        let mean = plane.reduce(0, +) / Double(count)
        let deviation = (plane.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count)).squareRoot()
        guard deviation > 1e-9 else { return [Double](repeating: 0, count: dimension(grid: grid)) }
        for p in 0..<count { plane[p] = (plane[p] - mean) / deviation }

        func cells(_ n: Int, rows: Int, columns: Int, _ value: (Int, Int) -> Double) -> [Double] {
            var sums = [Double](repeating: 0, count: n * n), counts = [Int](repeating: 0, count: n * n)
            for y in 0..<rows {
                for x in 0..<columns {
                    let cell = (y * n / rows) * n + x * n / columns
                    sums[cell] += value(x, y)
                    counts[cell] += 1
                }
            }
            return zip(sums, counts).map { $0 / Double(max($1, 1)) }
        }
        let layout = cells(grid, rows: height, columns: width) { x, y in plane[y * width + x] }
        let edges = cells(grid / 2, rows: height - 1, columns: width - 1) { x, y in
            let p = plane[y * width + x]
            return abs(plane[y * width + x + 1] - p) + abs(plane[(y + 1) * width + x] - p)
        }
        return layout + edges
    }

    /// The layout distance `d²` of a `vector` to the nearest class mean.
    package func distance(_ v: [Double]) -> Double {
        Mahalanobis.distance(v, classMeans: classMeans, covarianceCholesky: covarianceCholesky)
    }

    /// The refusal of a layout `vector` beyond the threshold, or nil.
    func refusal(_ v: [Double]) -> NotAssessable? {
        let d = distance(v)
        guard !(d <= threshold) else { return nil }
        return NotAssessable(reason: InputChecks.reason,
                             detail: String(format: "layout distance %.1f > %.1f (not laid out like the training radiographs)", d, threshold))
    }
}
