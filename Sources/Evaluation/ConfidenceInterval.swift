import Foundation

/// A two-sided confidence interval `[lower, upper]` and the method that produced it.
public struct ConfidenceInterval: Codable, Sendable, Equatable {
    package let lower: Double
    package let upper: Double
    /// `"wilson"`, `"delong"` or `"newcombe-paired"`.
    package let method: String

    public init(lower: Double, upper: Double, method: String) {
        self.lower = lower
        self.upper = upper
        self.method = method
    }

    /// The standard normal quantile for 95 % two-sided intervals, Φ⁻¹(0.975).
    public static let z95 = 1.959963984540054

    /// The Wilson score interval for a binomial proportion `successes / total`.
    ///
    /// With p̂ = k/n and z the normal quantile:
    /// centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²).
    /// It stays inside [0, 1] and behaves at p̂ = 0 or 1, unlike the Wald interval.
    /// With `total == 0` nothing is known and the interval is [0, 1]. At p̂ = 0 the lower end is
    /// exactly 0 and at p̂ = 1 the upper end exactly 1 (the formula's value up to rounding).
    /// - Precondition: `0 ≤ successes ≤ total`, `z > 0`.
    package static func wilson(successes: Int, total: Int, z: Double = z95) -> ConfidenceInterval {
        precondition(successes >= 0 && successes <= total && z > 0, "Wilson interval needs 0 ≤ successes ≤ total and z > 0")
        guard total > 0 else { return ConfidenceInterval(lower: 0, upper: 1, method: "wilson") }
        let n = Double(total)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        let lower = successes == 0 ? 0 : max(0, centre - half)
        let upper = successes == total ? 1 : min(1, centre + half)
        return ConfidenceInterval(lower: lower, upper: upper, method: "wilson")
    }
}

/// A proportion `count / total` with its 95 % Wilson score interval.
///
/// `value` is 0 when `total` is 0 (scikit-learn's `zero_division=0`); the interval is then [0, 1].
public struct Proportion: Codable, Sendable, Equatable {
    public let count: Int
    public let total: Int
    public let value: Double
    public let interval: ConfidenceInterval

    /// - Precondition: `0 ≤ count ≤ total`.
    public init(count: Int, total: Int) {
        self.count = count
        self.total = total
        self.value = total == 0 ? 0 : Double(count) / Double(total)
        self.interval = ConfidenceInterval.wilson(successes: count, total: total)
    }
}
