import Foundation

extension FeatureGate {
    /// Share of the validation radiographs whose distance is at or below the threshold.
    static let passQuantile = 0.995
    /// Default ridge, as a fraction of the mean variance (dead ReLU channels have none).
    static let defaultShrinkage = 0.01

    /// Fits the class means and the shared covariance on training features, then the threshold
    /// on validation features.
    ///
    /// `Σ = (1/N) Σ_i (x_i − μ_{y_i})(x_i − μ_{y_i})ᵀ + shrinkage · (tr Σ / features) · I`, factored
    /// in Double and stored in Float; the threshold is the `passQuantile` quantile
    /// (`sorted[⌈q·n⌉ − 1]`) of the validation `d²`, computed with the stored values, so that share
    /// of those images passes exactly.
    ///
    /// - Parameters:
    ///   - train: pooled features `[N][features]` (`pooled`), with `labels` (class indices) `[N]`.
    ///   - validation: pooled features of every validation radiograph (the cheap checks pass all
    ///     of PneumoniaMNIST's; a refused one only raises the threshold a little).
    package static func fit(train: [[Double]], labels: [Int], classes: Int, validation: [[Double]],
                            shrinkage: Double = defaultShrinkage, passQuantile: Double = passQuantile) -> FeatureGate {
        precondition(!train.isEmpty && train.count == labels.count && !validation.isEmpty, "features and labels needed")
        let d = train[0].count
        var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: classes)
        var counts = [Int](repeating: 0, count: classes)
        for (x, y) in zip(train, labels) {
            counts[y] += 1
            for k in 0..<d { sums[y][k] += x[k] }
        }
        let means = (0..<classes).map { c in sums[c].map { $0 / Double(max(counts[c], 1)) } }
        var covariance = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for (x, y) in zip(train, labels) {
            for k in 0..<d { centred[k] = x[k] - means[y][k] }
            for i in 0..<d where centred[i] != 0 {
                for j in 0...i { covariance[i * d + j] += centred[i] * centred[j] }
            }
        }
        let n = Double(train.count)
        var trace = 0.0
        for i in 0..<d { trace += covariance[i * d + i] / n }
        let ridge = shrinkage * trace / Double(d)
        for i in 0..<d {
            for j in 0...i { covariance[i * d + j] /= n }
            covariance[i * d + i] += ridge
        }
        var gate = FeatureGate(features: d, classMeans: means.map { $0.map { Float($0) } },
                               covarianceCholesky: cholesky(covariance, d).map { Float($0) },
                               shrinkage: shrinkage, threshold: 1, thresholdRule: "")
        let distances = validation.map { gate.distance($0) }.sorted()
        gate.threshold = distances[max(0, Int((passQuantile * Double(distances.count)).rounded(.up)) - 1)]
        gate.thresholdRule = String(format: "the %g%% quantile of the squared distances of the %d validation radiographs",
                                    100 * passQuantile, validation.count)
        return gate
    }

    /// The lower Cholesky factor of a symmetric positive-definite matrix.
    /// - Parameter a: `[d, d]` row-major; only the lower triangle is read.
    /// - Returns: the lower triangle of `L` (`A = L Lᵀ`) packed row by row, `d · (d + 1) / 2` values.
    static func cholesky(_ a: [Double], _ d: Int) -> [Double] {
        var l = [Double](repeating: 0, count: d * (d + 1) / 2)
        for i in 0..<d {
            let ri = i * (i + 1) / 2
            for j in 0...i {
                let rj = j * (j + 1) / 2
                var s = a[i * d + j]
                for k in 0..<j { s -= l[ri + k] * l[rj + k] }
                // The ridge keeps the matrix positive definite; a tiny floor guards rounding.
                l[ri + j] = i == j ? max(s, 1e-12).squareRoot() : s / l[rj + j]
            }
        }
        return l
    }
}
