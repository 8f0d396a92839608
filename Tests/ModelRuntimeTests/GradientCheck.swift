import Foundation
import Testing
@testable import ModelRuntime

/// Central finite differences for checking backward passes.
///
/// The scalar checked is `L = Σ rᵢ · yᵢ` (r a fixed random projection, summed in Double), so the
/// analytic gradient is the backward pass with `dy = r`. Each input is nudged by ±`eps` (1e-3)
/// in Float; the forward pass runs in Float, whose rounding (~1e-7 relative on L) bounds the
/// numeric error by about 1e-4 absolute for these sizes. A gradient passes when
/// `|numeric − analytic| ≤ 2e-3 + 1e-2 · |analytic|` for every element.
enum GradientCheck {
    static let eps: Float = 1e-3

    static func projection(_ y: [Float], _ r: [Float]) -> Double {
        zip(y, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Numeric gradient of `loss` at `x`.
    static func numeric(_ x: [Float], eps: Float = eps, _ loss: ([Float]) -> Double) -> [Float] {
        var probe = x
        return x.indices.map { i in
            probe[i] = x[i] + eps
            let plus = loss(probe)
            probe[i] = x[i] - eps
            let minus = loss(probe)
            probe[i] = x[i]
            return Float((plus - minus) / (2 * Double(eps)))
        }
    }

    static func expectMatches(_ analytic: [Float], _ numeric: [Float], _ what: String,
                              absolute: Float = 2e-3, relative: Float = 1e-2,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(analytic.count == numeric.count, "\(what): sizes", sourceLocation: sourceLocation)
        var worst: Float = 0, failures = 0
        for (a, n) in zip(analytic, numeric) {
            let err = abs(a - n)
            worst = max(worst, err)
            if !(err <= absolute + relative * abs(a)) { failures += 1 }
        }
        #expect(failures == 0, "\(what): \(failures) of \(analytic.count) gradients off, max error \(worst)",
                sourceLocation: sourceLocation)
        expectNotAllNearZero(analytic, what, sourceLocation: sourceLocation)
    }

    /// Guards against a vacuous check: a gradient that is (near) zero everywhere matches a flat
    /// numeric gradient within any absolute tolerance, so at least one value must exceed 1e-3.
    static func expectNotAllNearZero(_ analytic: [Float], _ what: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(analytic.contains { abs($0) > 1e-3 }, "\(what): gradient is all zero", sourceLocation: sourceLocation)
    }

    /// Whole-model central differences: for a few entries of every trained tensor of
    /// `parameters` (`positions` picks them from the tensor's element count), the change of
    /// `loss` over `value ± step` must match the accumulated gradient within
    /// `absolute + relative · |analytic|`, and the compared gradients must not all be near zero.
    /// Values are restored afterwards.
    ///
    /// - Returns: the number of entries compared.
    @discardableResult
    static func expectParameterGradients(_ parameters: ParameterSet, step: Float, positions: (_ count: Int) -> Set<Int>,
                                         absolute: Double = 2e-3, relative: Double = 2e-2, _ what: String,
                                         loss: () -> Double, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        var analytics: [Float] = []
        for (i, entry) in parameters.entries.enumerated() where entry.kind != .buffer {
            let handle = ParameterSet.Handle(index: i)
            for j in positions(entry.count) {
                let analytic = Double(parameters.gradient(handle)[j])
                let original = parameters.value(handle)[j]
                parameters.value(handle)[j] = original + step
                let plus = loss()
                parameters.value(handle)[j] = original - step
                let minus = loss()
                parameters.value(handle)[j] = original
                let numeric = (plus - minus) / Double(2 * step)
                #expect(abs(numeric - analytic) <= relative * abs(analytic) + absolute,
                        "\(what) \(entry.name)[\(j)]: numeric \(numeric), analytic \(analytic)",
                        sourceLocation: sourceLocation)
                analytics.append(Float(analytic))
            }
        }
        expectNotAllNearZero(analytics, what, sourceLocation: sourceLocation)
        return analytics.count
    }

    /// Values whose pairwise gaps and distance from zero exceed 2·eps, so that max pooling and
    /// ReLU have no ties or kinks inside the finite-difference step.
    static func separated(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let steps = (0..<n).map { Float($0 + 1) * 0.02 }.shuffled(using: &rng)
        return steps.enumerated().map { $0.offset % 2 == 0 ? $0.element : -$0.element }
    }
}
