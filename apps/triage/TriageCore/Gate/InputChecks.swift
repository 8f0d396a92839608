package import Imaging
import Foundation

/// The cheap half of the input gate: checks on the decoded grey image, before it is resized to
/// the model input, that refuse what no chest radiograph looks like. Each refusal is
/// `NotAssessable(reason: "out_of_distribution")` with the measured value and the limit.
///
/// The limits sit well outside what the 4,690 PneumoniaMNIST training images show
/// (docs/TRIAGE-MODEL.md, "Input gate"; tools/gate/grey_statistics.py): every one is 28×28
/// (aspect 1), with a dynamic range of 32…246 levels, at most 11% saturated pixels, and an
/// entropy of 4.62…7.55 bits.
package struct InputChecks: Sendable, Equatable {
    /// Refuse when the shorter side is below this, in pixels (training images: 28).
    package var minimumSide = 16
    /// Refuse when the longer side over the shorter exceeds this (training images: 1).
    package var maximumAspectRatio = 2.0
    /// Refuse when the 99th − 1st percentile grey level is below this, in levels 0…255 (training minimum: 32).
    package var minimumDynamicRange = 16
    /// Refuse when more than this fraction of the pixels is at 0 or at full scale (training maximum: 0.11).
    package var maximumSaturation = 0.5
    /// Refuse outside this histogram entropy, in bits (training: 4.62…7.55; uniform noise: ≈ 8).
    package var entropyRange = 3.0...7.95

    /// The limits of every model (model.json does not change them).
    package static let standard = InputChecks()

    package static let reason = "out_of_distribution"

    /// - Parameters:
    ///   - width, height: of the decoded image, in pixels.
    ///   - grey: its statistics, measured only once the size has passed.
    /// - Throws: `NotAssessable` with reason `out_of_distribution`, at the first check that fails.
    func check(width: Int, height: Int, grey: () -> GreyStatistics) throws(NotAssessable) {
        func refuse(_ detail: String) -> NotAssessable { NotAssessable(reason: Self.reason, detail: detail) }
        let short = min(width, height), long = max(width, height)
        guard short >= minimumSide else { throw refuse("smallest side \(short) px < \(minimumSide)") }
        let aspect = Double(long) / Double(short)
        guard aspect <= maximumAspectRatio else {
            throw refuse(String(format: "aspect ratio %.2f > %g", aspect, maximumAspectRatio))
        }
        let statistics = grey()
        guard statistics.dynamicRange >= minimumDynamicRange else {
            throw refuse("dynamic range \(statistics.dynamicRange) < \(minimumDynamicRange)")
        }
        guard statistics.saturation <= maximumSaturation else {
            throw refuse(String(format: "saturation %.3f > %g", statistics.saturation, maximumSaturation))
        }
        guard entropyRange.contains(statistics.entropy) else {
            let limit = statistics.entropy < entropyRange.lowerBound
                ? String(format: "< %g", entropyRange.lowerBound) : String(format: "> %g", entropyRange.upperBound)
            throw refuse(String(format: "entropy %.2f bits ", statistics.entropy) + limit)
        }
    }

    /// `check` on a decoded grey image (one channel).
    package func check(_ gray: Image) throws(NotAssessable) {
        try check(width: gray.width, height: gray.height) { GreyStatistics(gray) }
    }
}
