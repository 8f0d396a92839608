public import AuditLog
public import Foundation
public import Imaging

/// What the model says about one file, for `triage scan` and `triage explain`.
public struct ImageAssessment: Sendable {
    public enum Verdict: Sendable {
        case scored(Prediction)
        /// Outside the model's scope (`unsupported_photometry`, `not_radiograph`, `lateral_view`,
        /// `out_of_distribution` from the input gate) or `unreadable` (the file cannot be read or decoded), with what was found.
        case notAssessable(reason: String, detail: String)
    }

    public let file: String
    /// SHA-256 of the file's bytes (nil when it could not be read).
    public let sha256: String?
    public let format: ImageFormat?
    public let verdict: Verdict
    /// The model input and display image, for heatmaps (scored files only).
    public let input: PreparedInput?

    public static let unreadable = "unreadable"

    /// Whether the file could not be read or decoded (a failure, unlike a verdict of scope).
    public var isUnreadable: Bool {
        if case .notAssessable(Self.unreadable, _) = verdict { return true }
        return false
    }

    /// Reads, prepares, gates (`InputChecks`, `FeatureGate`) and scores one file; never throws:
    /// every problem is a verdict.
    /// - Parameter fullResolution: decode JPEGs at full size, for heatmaps over the original.
    public static func assess(_ url: URL, label: String, model: TriageModel, fullResolution: Bool = false) -> ImageAssessment {
        let data: Data
        do { data = try ImageFile.readData(url) } catch {
            return ImageAssessment(file: label, sha256: nil, format: nil, verdict: .notAssessable(reason: unreadable, detail: "\(error)"), input: nil)
        }
        let hash = ContentHash.sha256(data), format = ImageFormat.detect(data, file: label)
        guard format != nil else {
            return ImageAssessment(file: label, sha256: hash, format: nil,
                                   verdict: .notAssessable(reason: unreadable, detail: "\(label): not a PNG, JPEG or DICOM file"), input: nil)
        }
        do {
            let input = try model.prepare(data, file: label, fullResolution: fullResolution)
            let prediction = try model.assess([input])[0].get()
            return ImageAssessment(file: label, sha256: hash, format: format, verdict: .scored(prediction), input: input)
        } catch let scope as NotAssessable {
            return ImageAssessment(file: label, sha256: hash, format: format,
                                   verdict: .notAssessable(reason: scope.reason, detail: scope.detail), input: nil)
        } catch {
            return ImageAssessment(file: label, sha256: hash, format: format, verdict: .notAssessable(reason: unreadable, detail: "\(error)"), input: nil)
        }
    }

    /// The heatmap of the decision at the image's size as PNG (`HeatmapRenderer`); nil unless scored.
    public func heatmap(model: TriageModel, overlay: Bool) throws -> Data? {
        guard case .scored(let prediction) = verdict, let input else { return nil }
        let display = input.display
        return try HeatmapRenderer.png(ActivationMap(prediction), over: display,
                                       region: .modelView(model.spec.input, width: display.width, height: display.height),
                                       overlay: overlay)
    }

    /// The audit entry of this verdict: an `inference` on the image's content hash.
    public func auditEvent(model: TriageModel, actor: String) -> AuditEvent {
        var details: [String: AuditValue] = ["model": .string(model.id)]
        switch verdict {
        case .scored(let p):
            details["urgency"] = .string(p.urgency.rawValue)
            details["positive"] = .bool(p.positive)
        case .notAssessable(let reason, _):
            details["not_assessable"] = .string(reason)
        }
        return AuditEvent(actor: actor, action: .inference, objectType: "image", objectID: sha256 ?? "unreadable",
                          outcome: isUnreadable ? .failure : .success, details: details)
    }
}
