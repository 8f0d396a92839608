import Foundation

/// A deterministic stratified K-fold split: each class's examples, in the order given, go to
/// folds 0, 1, …, K−1, 0, 1, … so every fold holds about 1/K of every class. The same labels
/// and K always give the same folds, so folds can run on different machines (`--fold I`) and be
/// merged. A class with fewer than K examples is missing from some folds.
public struct StratifiedFolds: Sendable, Equatable {
    public let k: Int
    /// The fold of each example, in input order.
    public let fold: [Int]

    /// - Throws: `.invalidArgument` unless 2 ≤ `k` ≤ the number of examples.
    public init(labels: [String], k: Int) throws {
        guard k >= 2 else { throw EvaluationError.invalidArgument(name: "folds", reason: "needs at least 2 folds, got \(k)") }
        guard k <= labels.count else {
            throw EvaluationError.invalidArgument(name: "folds", reason: "\(k) folds need at least \(k) examples, got \(labels.count)")
        }
        var seen: [String: Int] = [:]
        fold = labels.map { label in
            defer { seen[label, default: 0] += 1 }
            return seen[label, default: 0] % k
        }
        self.k = k
    }

    /// Indices of the examples that train fold `index`'s model and of those it is tested on.
    /// - Precondition: `0 ≤ index < k`.
    public func split(_ index: Int) -> (train: [Int], test: [Int]) {
        precondition((0..<k).contains(index), "fold \(index) is outside 0..<\(k)")
        let test = fold.indices.filter { fold[$0] == index }
        let train = fold.indices.filter { fold[$0] != index }
        return (train, test)
    }
}

/// The spread of one metric over K folds: mean, sample standard deviation and the 95% confidence
/// interval of the mean, mean ± t(0.975, K−1) · sd / √K (Student's t: the folds are few).
/// The folds share training data, so the interval is somewhat too narrow (Bengio & Grandvalet
/// 2004); it describes fold-to-fold variation, not a guarantee.
public struct FoldSpread: Codable, Sendable, Equatable {
    public let mean: Double
    public let sd: Double
    public let ci95: [Double]
    /// Each fold's value, by fold index.
    public let values: [Double]

    /// - Parameter bounds: where the metric lives (e.g. 0...1 for a proportion); the interval is
    ///   clipped to it.
    /// - Throws: `.empty` without values, `.nonFinite` for NaN or ±∞.
    public init(_ values: [Double], within bounds: ClosedRange<Double> = -.infinity ... .infinity) throws {
        guard !values.isEmpty else { throw EvaluationError.empty(what: "fold values") }
        if let bad = values.firstIndex(where: { !$0.isFinite }) { throw EvaluationError.nonFinite(what: "fold values", index: bad) }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let sd = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : 0
        let half = values.count > 1 ? Self.t975(degreesOfFreedom: values.count - 1) * sd / n.squareRoot() : 0
        (self.mean, self.sd) = (mean, sd)
        ci95 = [max(bounds.lowerBound, mean - half), min(bounds.upperBound, mean + half)]
        self.values = values
    }

    /// Student's t quantile at 0.975: exact to 4 decimals from a table for 1–30 degrees of
    /// freedom (scipy.stats.t.ppf), the Cornish–Fisher expansion around the normal beyond.
    static func t975(degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1, "t quantile needs at least 1 degree of freedom")
        let table = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
                     2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
                     2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423]
        if df <= table.count { return table[df - 1] }
        let z = ConfidenceInterval.z95, v = Double(df)
        let z3 = z * z * z, z5 = z3 * z * z
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
    }
}

extension FoldSpread {
    /// A text table of named spreads: name, mean, sd, 95% CI and each fold's value (× `scale`,
    /// e.g. 100 for percentages, with `digits` decimals).
    package static func table(_ rows: [(name: String, spread: FoldSpread)], scale: Double = 1, digits: Int = 3) -> String {
        func f(_ x: Double) -> String { String(format: "%.\(digits)f", x * scale) }
        var table = TextTable("metric", "mean", "sd", "95% CI", "per fold")
        for (name, s) in rows {
            table.add(name, f(s.mean), f(s.sd), "\(f(s.ci95[0]))–\(f(s.ci95[1]))", s.values.map(f).joined(separator: " "))
        }
        return table.render()
    }
}
