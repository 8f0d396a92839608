public import Foundation
import SuiteFoundation

/// The report of a batch: its counts and its studies in worklist order (read ones included).
public struct BatchReport: Sendable, Encodable {
    let generated: String
    public let model: String
    public let summary: BatchSummary
    /// Set when the input could not be read to its end.
    public let inputError: String?
    public let studies: [ReportRow]

    /// - Parameter hashes: the run's content hashes (`BatchRunner.Outcome.hashes`).
    public init(store: StudyStore, hashes: [String], model: String, summary: BatchSummary, inputError: InputError?,
                policy: WorklistPolicy, now: Date = Date()) throws {
        let ordered = policy.ordered(try store.studies(hashes: hashes), now: now)
        studies = ordered.enumerated().map { ReportRow(rank: $0.offset + 1, item: $0.element) }
        generated = Timestamp.now()
        self.model = model
        self.summary = summary
        self.inputError = inputError.map(\.kindDescription)
    }
}

extension InputError {
    /// What went wrong without the names of files (which may identify a patient).
    var kindDescription: String {
        switch self {
        case .unreadable: "input unreadable"
        case .unknownKind: "not a folder or archive"
        case .corruptArchive(_, let offset, _): "archive damaged at byte \(offset); later entries not read"
        case .corruptEntry: "corrupt entry"
        case .pathEscapesRoot: "entry path leaves the archive root"
        case .entryTooLarge(_, let limit): "entry over the \(limit)-byte cap"
        case .inputTooLarge(_, let limit): "input inflates past the \(limit)-byte cap; reading stopped"
        }
    }
}
