public import Foundation

/// What `triage batch` learnt about one image, ready to be stored.
public struct StudyResult: Sendable {
    /// The model's verdict.
    public enum Verdict: Sendable {
        case scored(StudyScore)
        /// Outside the model's scope: `reason` is a code (`unsupported_photometry`,
        /// `not_radiograph`, `lateral_view`, `out_of_distribution`), `detail` says what was found.
        case notAssessable(reason: String, detail: String)
        /// The file could not be decoded (`reason` `unreadable`): stored all the same, so the
        /// study stays in a reader's view (the worklist's "not assessed" section).
        case failed(reason: String, detail: String)
    }

    /// SHA-256 of the file's bytes, lowercase hex: the study's key (for an entry that could not
    /// be read, the store's keyed hash of its name: `StudyStore.unreadableEntryKey`).
    package var sourceHash: String
    /// `png`, `jpeg` or `dicom`.
    public var format: String
    /// Sealed before it is written.
    public var identity: StudyStore.Identity
    public var modelID: String
    public var verdict: Verdict
    /// 8-bit gray PNG, longest side 128 (sealed before it is written).
    package var thumbnail: Data?

    public init(sourceHash: String, format: String, identity: StudyStore.Identity, modelID: String, verdict: Verdict,
                thumbnail: Data?) {
        self.sourceHash = sourceHash
        self.format = format
        self.identity = identity
        self.modelID = modelID
        self.verdict = verdict
        self.thumbnail = thumbnail
    }
}

extension StudyResult {
    /// The format an unreadable file's name says it has: `png`, `jpeg` (`.jpg`, `.jpeg`), or
    /// `dicom` (`.dcm`, `.dicom`, or no extension, as DICOM files often have); nil for any other
    /// extension (not an image). Only the last path component counts.
    static func guessedFormat(_ name: String) -> String? {
        let file = name.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == "\\" }).last.map(String.init) ?? name
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return "dicom" }
        switch file[file.index(after: dot)...].lowercased() {
        case "png": return "png"
        case "jpg", "jpeg": return "jpeg"
        case "dcm", "dicom": return "dicom"
        default: return nil
        }
    }
}

/// The decision of the model for one image.
public struct StudyScore: Sendable, Equatable {
    /// Calibrated probability per label.
    package var probabilities: [String: Double]
    /// Calibrated probability of the finding, 0…1.
    public var score: Double
    /// `score` at or above the model's operating threshold.
    package var positive: Bool
    public var urgency: Urgency
    package var activation: ActivationMap

    public init(_ prediction: Prediction) {
        probabilities = prediction.probabilities
        score = prediction.score
        positive = prediction.positive
        urgency = prediction.urgency
        activation = ActivationMap(prediction)
    }
}
