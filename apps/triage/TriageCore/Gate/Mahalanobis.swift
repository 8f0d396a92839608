import Foundation

/// The arithmetic both learned gates share (`FeatureGate`, `LayoutGate`): class means and one
/// shared covariance fitted on training vectors, the squared Mahalanobis distance to the
/// nearest class mean, and a threshold at a quantile of validation distances.
///
/// `Σ = (1/N) Σ_i (x_i − μ_{y_i})(x_i − μ_{y_i})ᵀ + shrinkage · (tr Σ / d) · I` is factored as
/// `Σ = L Lᵀ` (Cholesky, in Double, stored in Float as the packed lower triangle), and
/// `d² = min_c ‖L⁻¹(x − μ_c)‖²` costs one forward substitution per class.
package enum Mahalanobis {
    /// Class means `[classes][d]` and the packed lower Cholesky factor `[d · (d + 1) / 2]`.
    package struct Fit: Equatable {
        package var classMeans: [[Float]]
        package var covarianceCholesky: [Float]
    }

    /// Means and covariance of `samples` (`[N][d]`) with class indices `labels` (`[N]`).
    package static func fit(_ samples: [[Double]], labels: [Int], classes: Int, shrinkage: Double) -> Fit {
        precondition(!samples.isEmpty && samples.count == labels.count, "samples and labels needed")
        let d = samples[0].count
        var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: classes)
        var counts = [Int](repeating: 0, count: classes)
        for (x, y) in zip(samples, labels) {
            counts[y] += 1
            for k in 0..<d { sums[y][k] += x[k] }
        }
        let means = (0..<classes).map { c in sums[c].map { $0 / Double(max(counts[c], 1)) } }
        var covariance = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for (x, y) in zip(samples, labels) {
            for k in 0..<d { centred[k] = x[k] - means[y][k] }
            for i in 0..<d where centred[i] != 0 {
                for j in 0...i { covariance[i * d + j] += centred[i] * centred[j] }
            }
        }
        let n = Double(samples.count)
        var trace = 0.0
        for i in 0..<d { trace += covariance[i * d + i] / n }
        let ridge = shrinkage * trace / Double(d)
        for i in 0..<d {
            for j in 0...i { covariance[i * d + j] /= n }
            covariance[i * d + i] += ridge
        }
        return Fit(classMeans: means.map { $0.map { Float($0) } }, covarianceCholesky: cholesky(covariance, d).map { Float($0) })
    }

    /// `d²` of `x` (`[d]`) to the nearest of `classMeans` under `Σ = L Lᵀ`.
    package static func distance(_ x: [Double], classMeans: [[Float]], covarianceCholesky l: [Float]) -> Double {
        classMeans.map { mean in
            whitened(x, mean: mean.map(Double.init), covarianceCholesky: l).reduce(0) { $0 + $1 * $1 }
        }.min() ?? .infinity
    }

    /// `z = L⁻¹(x − mean)` (forward substitution of `L z = x − mean`), `[d]`.
    package static func whitened(_ x: [Double], mean: [Double], covarianceCholesky l: [Float]) -> [Double] {
        var z = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let row = i * (i + 1) / 2
            var s = x[i] - mean[i]
            for j in 0..<i { s -= Double(l[row + j]) * z[j] }
            z[i] = s / Double(l[row + i])
        }
        return z
    }

    /// The `quantile` (0…1) of `distances`: `sorted[⌈q·n⌉ − 1]`, so that share of them is at or below it.
    package static func threshold(_ distances: [Double], quantile: Double) -> Double {
        let sorted = distances.sorted()
        return sorted[max(0, Int((quantile * Double(sorted.count)).rounded(.up)) - 1)]
    }

    /// The lower Cholesky factor of a symmetric positive-definite matrix.
    /// - Parameter a: `[d, d]` row-major; only the lower triangle is read.
    /// - Returns: the lower triangle of `L` (`A = L Lᵀ`) packed row by row, `d · (d + 1) / 2` values.
    package static func cholesky(_ a: [Double], _ d: Int) -> [Double] {
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

    /// The shape problems of a fitted model of `d` dimensions and `classes` classes, or nil.
    static func problem(classMeans: [[Float]], covarianceCholesky l: [Float], classes: Int, d: Int) -> String? {
        guard classMeans.count == classes, classMeans.allSatisfy({ $0.count == d && $0.allSatisfy(\.isFinite) }) else {
            return "class_means: \(classes) rows of \(d) finite values needed"
        }
        guard l.count == d * (d + 1) / 2 else {
            return "covariance_cholesky: \(d * (d + 1) / 2) values needed, got \(l.count)"
        }
        for i in 0..<d where !(l[i * (i + 1) / 2 + i] > 0) {
            return "covariance_cholesky: diagonal \(i) must be positive"
        }
        return nil
    }
}
