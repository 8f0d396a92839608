import Foundation
import SuiteFoundation

/// What the input gate passes and refuses, measured by `triage calibrate --gate-labels` or
/// `triage train` (shown on the model card).
///
/// `validation*` figures come from the validation radiographs that chose the feature
/// threshold (optimistic by construction); `heldOut*` figures come from the held-out part of
/// the generated non-radiograph set (`NonRadiographs`), which chose nothing.
package struct GateFigures: Codable, Sendable, Equatable {
    /// The validation labels CSV.
    package var validationData: String
    package var validationImages: Int
    /// Fraction of the validation radiographs the whole gate passes.
    package var validationPassed: Double
    /// Validation ROC AUC on every image, and on those the gate passes (scores are unchanged by
    /// the gate; nil when the passed images lack a class).
    package var validationAUC: Double
    package var validationAUCPassed: Double?
    /// Size of the held-out non-radiograph set and the fraction the gate refuses.
    package var heldOutImages: Int
    package var heldOutRefused: Double
    /// Refused fraction of each kind of held-out input, by kind name.
    package var heldOutRefusedByKind: [String: Double]
    /// The same for the fit part (seen while choosing the limits).
    package var fitImages: Int
    package var fitRefused: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case validationData = "validation_data"
        case validationImages = "validation_images"
        case validationPassed = "validation_passed"
        case validationAUC = "validation_auc"
        case validationAUCPassed = "validation_auc_passed"
        case heldOutImages = "held_out_images"
        case heldOutRefused = "held_out_refused"
        case heldOutRefusedByKind = "held_out_refused_by_kind"
        case fitImages = "fit_images"
        case fitRefused = "fit_refused"
    }

    package init(validationData: String, validationImages: Int, validationPassed: Double, validationAUC: Double,
                 validationAUCPassed: Double?, heldOutImages: Int, heldOutRefused: Double,
                 heldOutRefusedByKind: [String: Double], fitImages: Int, fitRefused: Double) {
        self.validationData = validationData
        self.validationImages = validationImages
        self.validationPassed = validationPassed
        self.validationAUC = validationAUC
        self.validationAUCPassed = validationAUCPassed
        self.heldOutImages = heldOutImages
        self.heldOutRefused = heldOutRefused
        self.heldOutRefusedByKind = heldOutRefusedByKind
        self.fitImages = fitImages
        self.fitRefused = fitRefused
    }

    package init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, keys: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        validationData = try c.decode(String.self, forKey: .validationData)
        validationImages = try c.decode(Int.self, forKey: .validationImages)
        validationPassed = try c.decode(Double.self, forKey: .validationPassed)
        validationAUC = try c.decode(Double.self, forKey: .validationAUC)
        validationAUCPassed = try c.decodeIfPresent(Double.self, forKey: .validationAUCPassed)
        heldOutImages = try c.decode(Int.self, forKey: .heldOutImages)
        heldOutRefused = try c.decode(Double.self, forKey: .heldOutRefused)
        heldOutRefusedByKind = try c.decode([String: Double].self, forKey: .heldOutRefusedByKind)
        fitImages = try c.decode(Int.self, forKey: .fitImages)
        fitRefused = try c.decode(Double.self, forKey: .fitRefused)
    }
}

extension GateFigures {
    /// `input gate: passes 99.4% of the validation radiographs (AUC …), refuses 100.0% of the held-out …`.
    package var text: String {
        String(format: "input gate: passes %.1f%% of %d validation radiographs (AUC %.4f on all, ",
               100 * validationPassed, validationImages, validationAUC)
            + aucPassedText
            + String(format: " on those passed); refuses %.1f%% of %d held-out non-radiographs (%.1f%% of %d in the fit part)",
                     100 * heldOutRefused, heldOutImages, 100 * fitRefused, fitImages)
    }

    /// `validationAUCPassed` to 4 decimals, or `n/a`.
    var aucPassedText: String { validationAUCPassed.map { String(format: "%.4f", $0) } ?? "n/a" }
}
