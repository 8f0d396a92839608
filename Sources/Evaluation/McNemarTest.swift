/// McNemar's test of equal accuracy for two classifiers scored on the same examples.
///
/// Only the discordant pairs carry information: b = examples the first model gets right and the
/// second wrong, c = the reverse. Under equal accuracy b ~ Binomial(b + c, ½).
/// * b + c < 25: exact two-sided binomial test, statistic min(b, c),
///   p = min(1, 2 · Σ_{i ≤ min(b, c)} C(b + c, i) / 2^(b + c)); b + c = 0 gives p = 1.
/// * b + c ≥ 25: chi-square with continuity correction, statistic (|b − c| − 1)² / (b + c), one
///   degree of freedom. As in statsmodels the correction is not clipped at 0, so b = c gives the
///   statistic 1/(b + c), not 0.
/// Both match statsmodels' `mcnemar(table, exact=True)` and `mcnemar(table, exact=False,
/// correction=True)`.
package struct McNemarTest: Sendable, Equatable {
    package enum Method: String, Sendable, Equatable {
        case exactBinomial = "exact-binomial"
        case chiSquareContinuityCorrected = "chi-square-corrected"
    }

    /// b: the first model right, the second wrong.
    package let onlyFirstCorrect: Int
    /// c: the second model right, the first wrong.
    package let onlySecondCorrect: Int
    /// min(b, c) for the exact test, the corrected chi-square otherwise.
    package let statistic: Double
    /// Two-sided p-value under equal accuracy.
    package let pValue: Double
    package let method: Method

    /// Discordant-pair counts from which the chi-square approximation is used.
    package static let chiSquareFrom = 25

    /// - Parameters:
    ///   - firstCorrect: whether the first model is right on each example, [n].
    ///   - secondCorrect: the same for the second model, [n], same examples in the same order.
    /// - Throws: `.empty`; `.lengthMismatch` naming the second array and both lengths.
    package init(firstCorrect: [Bool], secondCorrect: [Bool]) throws {
        try Validate.nonEmpty(firstCorrect.count, "first model's correctness")
        try Validate.sameLength(secondCorrect.count, firstCorrect.count, "second model's correctness")
        var b = 0, c = 0
        for (first, second) in zip(firstCorrect, secondCorrect) where first != second {
            if first { b += 1 } else { c += 1 }
        }
        self.init(onlyFirstCorrect: b, onlySecondCorrect: c)
    }

    /// From the discordant counts b and c.
    /// - Precondition: `b ≥ 0`, `c ≥ 0`.
    init(onlyFirstCorrect b: Int, onlySecondCorrect c: Int) {
        precondition(b >= 0 && c >= 0, "discordant counts are ≥ 0")
        onlyFirstCorrect = b
        onlySecondCorrect = c
        let n = b + c
        if n < Self.chiSquareFrom {
            method = .exactBinomial
            let k = min(b, c)
            statistic = Double(k)
            // Σ_{i ≤ k} C(n, i), exact in Double for n < 25 (C(24, 12) < 2²²).
            var binomial = 1.0, tail = 0.0
            for i in 0...k {
                tail += binomial
                binomial = binomial * Double(n - i) / Double(i + 1)
            }
            pValue = min(1, 2 * tail / Double(1 << n))
        } else {
            method = .chiSquareContinuityCorrected
            let excess = Double(abs(b - c) - 1)
            statistic = excess * excess / Double(n)
            pValue = Distributions.chiSquareSurvival(statistic, degreesOfFreedom: 1)
        }
    }
}
