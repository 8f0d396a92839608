/// The difference of two proportions measured on the same examples (e.g. the recall of one class
/// for the active and a candidate model), with Newcombe's hybrid score interval for paired data.
///
/// From the paired 2 × 2 table — a: both succeed, b: only the first, c: only the second,
/// d: neither, n = a + b + c + d — p₁ = (a + b)/n, p₂ = (a + c)/n and Δ = p₂ − p₁ = (c − b)/n.
/// Newcombe (1998, "Improved confidence intervals for the difference between binomial
/// proportions based on paired data", method 10): with Wilson score intervals [l₁, u₁], [l₂, u₂]
/// of p₁, p₂ and the phi coefficient φ = (ad − bc)/√((a + b)(c + d)(a + c)(b + d)) (0 when a
/// margin is empty),
///   lower = Δ − √((p₂ − l₂)² − 2φ(p₂ − l₂)(u₁ − p₁) + (u₁ − p₁)²),
///   upper = Δ + √((u₂ − p₂)² − 2φ(u₂ − p₂)(p₁ − l₁) + (p₁ − l₁)²).
/// No continuity correction (that is method 11). The interval lies within [−1, 1].
package struct PairedProportionDifference: Sendable, Equatable {
    /// p₁ and p₂ with their own Wilson intervals.
    package let first: Proportion
    package let second: Proportion
    /// Δ = p₂ − p₁ (negative: the second model does worse).
    package let difference: Double
    /// 95 % interval of Δ, method `"newcombe-paired"`.
    package let interval: ConfidenceInterval

    /// - Parameters:
    ///   - firstSuccess: whether the first model succeeds on each example, [n] (e.g. is right on
    ///     each example of one class, for that class's recall).
    ///   - secondSuccess: the same for the second model, [n], same examples in the same order.
    /// - Throws: `.empty`; `.lengthMismatch` naming the second array and both lengths.
    package init(firstSuccess: [Bool], secondSuccess: [Bool]) throws {
        try Validate.nonEmpty(firstSuccess.count, "first model's successes")
        try Validate.sameLength(secondSuccess.count, firstSuccess.count, "second model's successes")
        var a = 0, b = 0, c = 0, d = 0
        for (x, y) in zip(firstSuccess, secondSuccess) {
            switch (x, y) {
            case (true, true): a += 1
            case (true, false): b += 1
            case (false, true): c += 1
            case (false, false): d += 1
            }
        }
        self.init(bothSucceed: a, onlyFirst: b, onlySecond: c, neither: d)
    }

    /// From the paired table's counts.
    /// - Precondition: counts ≥ 0 with a positive total.
    init(bothSucceed a: Int, onlyFirst b: Int, onlySecond c: Int, neither d: Int) {
        precondition(a >= 0 && b >= 0 && c >= 0 && d >= 0 && a + b + c + d > 0, "paired counts are ≥ 0, total > 0")
        let n = a + b + c + d
        first = Proportion(count: a + b, total: n)
        second = Proportion(count: a + c, total: n)
        let p1 = first.value, p2 = second.value
        difference = p2 - p1
        let margins = Double(a + b) * Double(c + d) * Double(a + c) * Double(b + d)
        let phi = margins == 0 ? 0 : (Double(a) * Double(d) - Double(b) * Double(c)) / margins.squareRoot()
        let (l1, u1) = (first.interval.lower, first.interval.upper)
        let (l2, u2) = (second.interval.lower, second.interval.upper)
        let below = (p2 - l2) * (p2 - l2) - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) * (u1 - p1)
        let above = (u2 - p2) * (u2 - p2) - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) * (p1 - l1)
        interval = ConfidenceInterval(
            lower: max(-1, difference - max(0, below).squareRoot()),
            upper: min(1, difference + max(0, above).squareRoot()),
            method: "newcombe-paired")
    }
}
