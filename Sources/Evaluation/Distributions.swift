import Foundation

/// Tail probabilities of the reference distributions the hypothesis tests of this module need.
///
/// Each function takes a statistic and returns P(X ≥ statistic) (or P(|Z| ≥ |z|)) in [0, 1],
/// with about 1e-14 absolute accuracy against `scipy.special` (checked by DistributionTests).
enum Distributions {
    /// Two-sided standard normal p-value, P(|Z| ≥ |z|) = erfc(|z| / √2).
    static func normalTwoSidedPValue(_ z: Double) -> Double {
        erfc(abs(z) / 2.0.squareRoot())
    }

    /// Chi-square survival function with k degrees of freedom, P(χ²ₖ ≥ x) = Q(k/2, x/2)
    /// (scipy `chi2.sf`).
    /// - Precondition: `degreesOfFreedom ≥ 1`, `x ≥ 0`.
    static func chiSquareSurvival(_ x: Double, degreesOfFreedom: Int) -> Double {
        precondition(degreesOfFreedom >= 1 && x >= 0, "chi-square survival needs k ≥ 1 and x ≥ 0")
        return regularizedUpperGamma(Double(degreesOfFreedom) / 2, x / 2)
    }

    /// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a)
    /// = 1 − P(a, x) (scipy `special.gammaincc`).
    ///
    /// Numerical Recipes (3rd ed., §6.2): for x < a + 1 the series
    /// P = e^(−x) xᵃ / Γ(a + 1) · Σₙ xⁿ / ((a + 1)…(a + n)) and Q = 1 − P; otherwise the continued
    /// fraction Q = e^(−x) xᵃ / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …)))
    /// evaluated by the modified Lentz method. Both stop when a term changes the result by less
    /// than one ulp; each converges in O(√a) steps on its side of x = a + 1.
    /// - Precondition: `a > 0`, `x ≥ 0`, both finite.
    static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0 && a.isFinite && x >= 0 && x.isFinite, "Q(a, x) needs a > 0 and x ≥ 0")
        if x == 0 { return 1 }
        // log(e^(−x) xᵃ / Γ(a)); lgamma's sign is + for a > 0.
        let logPrefactor = -x + a * log(x) - lgamma(a)
        let epsilon = Double.ulpOfOne
        if x < a + 1 {
            var term = 1 / a, sum = term, ap = a
            while abs(term) > abs(sum) * epsilon {
                ap += 1
                term *= x / ap
                sum += term
            }
            return max(0, 1 - sum * exp(logPrefactor))
        }
        let tiny = Double.leastNormalMagnitude / epsilon
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        var i = 1.0
        while true {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) <= epsilon { break }
            i += 1
        }
        return min(1, exp(logPrefactor) * h)
    }

    /// The Kolmogorov survival function Q_KS(λ) = P(K ≥ λ) of the limiting distribution of
    /// √n·Dₙ (scipy `special.kolmogorov`, `stats.kstwobign.sf`):
    /// Q_KS(λ) = 2 Σ_{j≥1} (−1)^(j−1) e^(−2j²λ²).
    ///
    /// That alternating series converges fast for λ ≥ 1.18; below, the Jacobi-theta form
    /// 1 − Q_KS(λ) = √(2π)/λ · Σ_{j≥1} e^(−(2j−1)²π²/(8λ²)) does (Numerical Recipes 3rd ed. §6.14).
    /// Q_KS(λ) = 1 for λ ≤ 0.
    static func kolmogorovSurvival(_ lambda: Double) -> Double {
        precondition(!lambda.isNaN, "Kolmogorov survival of NaN")
        if lambda <= 0 { return 1 }
        if lambda < 1.18 {
            let y = exp(-Double.pi * Double.pi / (8 * lambda * lambda))
            if y == 0 { return 1 }
            // Σ y^((2j−1)²) for j = 1…: y, y⁹, y²⁵, y⁴⁹ … (y < 0.42 here, so 6 terms reach 1e-16)
            var sum = 0.0
            for j in 1...6 {
                let k = Double(2 * j - 1)
                sum += pow(y, k * k)
            }
            return max(0, 1 - (2 * Double.pi).squareRoot() / lambda * sum)
        }
        let x = exp(-2 * lambda * lambda)
        // 2(x − x⁴ + x⁹ − x¹⁶ …), x < 0.062 here, so 5 terms reach 1e-19.
        var sum = 0.0, sign = 1.0
        for j in 1...5 {
            sum += sign * pow(x, Double(j * j))
            sign = -sign
        }
        return min(1, 2 * sum)
    }
}
