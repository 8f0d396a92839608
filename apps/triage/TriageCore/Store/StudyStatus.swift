public import SuiteFoundation

/// Where a study is in its life (the `studies.status` column).
public enum StudyStatus: String, Sendable, StrictStringEnum {
    /// Registered, not scored yet.
    case pending
    /// The model scored it.
    case scored
    /// The model declined it (the study's `reason` says why).
    case notAssessable = "not_assessable"
    /// Its input could not be read.
    case failed
    /// Reviewed and closed.
    case read

    /// States that carry a verdict of the model (what a re-run skips).
    static let withVerdict: [StudyStatus] = [.scored, .notAssessable]
    /// States a reader must see until they mark the study read: the model's verdicts, and the
    /// inputs it could not read.
    static let onWorklist: [StudyStatus] = [.scored, .notAssessable, .failed]
}
