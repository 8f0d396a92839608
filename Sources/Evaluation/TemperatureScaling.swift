import Foundation

/// The result of fitting a temperature: T and the validation NLL at T = 1 and at T.
public struct TemperatureFit: Codable, Sendable, Equatable {
    /// Divide logits by this before the softmax / sigmoid. T > 1 softens over-confident models.
    package let temperature: Double
    /// Mean negative log-likelihood (natural log) of the unscaled logits.
    package let nllBefore: Double
    /// Mean negative log-likelihood of `logits / temperature`.
    package let nllAfter: Double
}

/// Temperature scaling (Guo et al. 2017): one scalar T > 0 minimising the validation negative
/// log-likelihood of softmax(logits / T) — or sigmoid(logit / T) for a single binary logit.
///
/// Method: with β = 1/T the NLL f(β) = mean[logsumexp(β·z) − β·z_y] is convex in β
/// (f″(β) = mean Var_softmax(βz)(z) ≥ 0), so the optimum is the root of f′(β) =
/// mean[E_softmax(βz)[z] − z_y]. It is found by Newton's method on β, safeguarded by bisection
/// on a bracket of β ∈ [1/`maximumTemperature`, 1/`minimumTemperature`] and stopped when the
/// step falls below 1e-14·β: deterministic, and converging to about machine precision. When f′
/// has no root in the bracket the temperature is clamped to the nearer end (for example a
/// validation set the model separates perfectly pushes T towards 0; it stops at 0.01).
public enum TemperatureScaling {
    package static let minimumTemperature = 0.01
    package static let maximumTemperature = 100.0

    /// Fits T on row-major logits `[labels.count, classCount]`.
    /// - Throws: `.empty`, `.lengthMismatch`, `.nonFinite`, `.classIndexOutOfRange`,
    ///   `.invalidArgument` when `classCount < 2`.
    public static func fit(logits: [Double], classCount: Int, labels: [Int]) throws -> TemperatureFit {
        try validate(logits: logits, classCount: classCount, labels: labels)
        let β = solve { multiclassDerivatives(logits, classCount, labels, $0) }
        return TemperatureFit(
            temperature: 1 / β,
            nllBefore: multiclassDerivatives(logits, classCount, labels, 1).value,
            nllAfter: multiclassDerivatives(logits, classCount, labels, β).value)
    }

    /// Fits T for a binary classifier with one logit per example (P(positive) = σ(z / T)).
    /// - Throws: `.empty`, `.lengthMismatch`, `.nonFinite`.
    package static func fitBinary(logits: [Double], labels: [Bool]) throws -> TemperatureFit {
        try Validate.nonEmpty(labels.count, "labels")
        try Validate.sameLength(logits.count, labels.count, "logits")
        try Validate.finite(logits, "logits")
        let β = solve { binaryDerivatives(logits, labels, $0) }
        return TemperatureFit(
            temperature: 1 / β,
            nllBefore: binaryDerivatives(logits, labels, 1).value,
            nllAfter: binaryDerivatives(logits, labels, β).value)
    }

    /// Mean NLL of softmax(logits / temperature) for the given labels.
    /// - Throws: as `fit`, and `.invalidArgument` for a temperature that is not > 0 and finite.
    package static func negativeLogLikelihood(
        logits: [Double], classCount: Int, labels: [Int], temperature: Double
    ) throws -> Double {
        try validate(logits: logits, classCount: classCount, labels: labels)
        try validate(temperature: temperature)
        return multiclassDerivatives(logits, classCount, labels, 1 / temperature).value
    }

    /// softmax(logits / temperature) row by row.
    /// - Returns: [rows, classCount], row-major, like `logits`.
    /// - Throws: `.invalidArgument` for a bad class count or temperature, `.lengthMismatch` when
    ///   `logits.count` is not a multiple of `classCount`, `.nonFinite`.
    public static func softmax(logits: [Double], classCount: Int, temperature: Double = 1) throws -> [Double] {
        guard classCount >= 1 else { throw EvaluationError.invalidArgument(name: "class count", reason: "\(classCount) is not ≥ 1") }
        try validate(temperature: temperature)
        try Validate.sameLength(logits.count, logits.count / classCount * classCount, "logits")
        try Validate.finite(logits, "logits")
        let β = 1 / temperature
        var out = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { z in
            out.withUnsafeMutableBufferPointer { p in
                var row = 0
                while row < z.count {
                    var top = -Double.infinity
                    for c in row..<(row + classCount) { top = max(top, β * z[c]) }
                    var sum = 0.0
                    for c in row..<(row + classCount) {
                        p[c] = exp(β * z[c] - top)
                        sum += p[c]
                    }
                    for c in row..<(row + classCount) { p[c] /= sum }
                    row += classCount
                }
            }
        }
        return out
    }

    /// σ(logit / temperature) for each logit: P(positive).
    /// - Throws: `.invalidArgument` for a bad temperature, `.nonFinite`.
    package static func sigmoid(logits: [Double], temperature: Double = 1) throws -> [Double] {
        try validate(temperature: temperature)
        try Validate.finite(logits, "logits")
        return logits.map { z in
            let x = z / temperature
            return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
        }
    }

    // MARK: - Internals

    static func validate(temperature: Double) throws {
        guard temperature > 0, temperature.isFinite else {
            throw EvaluationError.invalidArgument(name: "temperature", reason: "\(temperature) is not a positive finite number")
        }
    }

    static func validate(logits: [Double], classCount: Int, labels: [Int]) throws {
        guard classCount >= 2 else { throw EvaluationError.invalidArgument(name: "class count", reason: "\(classCount) is not ≥ 2") }
        try Validate.nonEmpty(labels.count, "labels")
        try Validate.sameLength(logits.count, labels.count * classCount, "logits")
        try Validate.finite(logits, "logits")
        for (i, y) in labels.enumerated() where y < 0 || y >= classCount {
            throw EvaluationError.classIndexOutOfRange(index: i, value: y, classCount: classCount)
        }
    }

    /// f(β), f′(β), f″(β) of the mean multiclass NLL.
    static func multiclassDerivatives(
        _ logits: [Double], _ k: Int, _ labels: [Int], _ β: Double
    ) -> (value: Double, first: Double, second: Double) {
        var f = 0.0, d1 = 0.0, d2 = 0.0
        logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                for i in y.indices {
                    let row = i * k
                    var top = -Double.infinity
                    for c in row..<(row + k) { top = max(top, β * z[c]) }
                    var sum = 0.0, mean = 0.0, square = 0.0
                    for c in row..<(row + k) {
                        let e = exp(β * z[c] - top)
                        sum += e
                        mean += e * z[c]
                        square += e * z[c] * z[c]
                    }
                    mean /= sum
                    square /= sum
                    let zy = z[row + y[i]]
                    f += top + log(sum) - β * zy
                    d1 += mean - zy
                    d2 += max(0, square - mean * mean)
                }
            }
        }
        let n = Double(labels.count)
        return (f / n, d1 / n, d2 / n)
    }

    /// f(β), f′(β), f″(β) of the mean binary NLL with p = σ(βz).
    static func binaryDerivatives(
        _ logits: [Double], _ labels: [Bool], _ β: Double
    ) -> (value: Double, first: Double, second: Double) {
        var f = 0.0, d1 = 0.0, d2 = 0.0
        logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                for i in z.indices {
                    let x = β * z[i]
                    // softplus(x) − y·x, with softplus(x) = max(x, 0) + log1p(e^−|x|).
                    let softplus = max(x, 0) + log1p(exp(-abs(x)))
                    let p = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
                    let target = y[i] ? 1.0 : 0.0
                    f += softplus - target * x
                    d1 += (p - target) * z[i]
                    d2 += p * (1 - p) * z[i] * z[i]
                }
            }
        }
        let n = Double(labels.count)
        return (f / n, d1 / n, d2 / n)
    }

    /// The root of f′ on β ∈ [1/Tmax, 1/Tmin] by bisection-safeguarded Newton, or the bracket end
    /// where f is smallest when f′ does not change sign.
    static func solve(_ derivatives: (Double) -> (value: Double, first: Double, second: Double)) -> Double {
        var low = 1 / maximumTemperature, high = 1 / minimumTemperature
        if derivatives(low).first >= 0 { return low }
        if derivatives(high).first <= 0 { return high }
        var β = min(max(1, low), high)
        for _ in 0..<200 {
            let (_, d1, d2) = derivatives(β)
            if d1 == 0 { return β }
            if d1 < 0 { low = β } else { high = β }
            var next = d2 > 0 ? β - d1 / d2 : .nan
            if !(next > low && next < high) { next = 0.5 * (low + high) }
            if abs(next - β) <= 1e-14 * β || high - low <= 1e-15 * high { return next }
            β = next
        }
        return β
    }
}
