public import Foundation
import SuiteFoundation

/// The order of the reading worklist, with ageing so that no study waits forever.
///
/// A study's **effective urgency** is its model urgency raised one level for every
/// `hoursPerLevel` hours it has waited since it arrived, up to `urgent`: with the default 24 h,
/// a routine study counts as priority after 24 h and as urgent after 48 h. Studies the model
/// did not assess, and inputs that failed to decode, form a separate section after the scored
/// ones, oldest first: the model has no opinion on them, but a reader must clear each by hand.
/// Studies whose integrity tag fails are listed first, whatever their fields say.
/// Sorting: effective urgency (highest first), then model urgency (a genuinely urgent study
/// before an aged one), then score (highest first; not-assessable studies after scored ones),
/// then arrival (oldest first), then id (a total order, so equal studies list the same way).
public struct WorklistPolicy: Sendable, Equatable {
    public var hoursPerLevel: Double

    public static let `default` = WorklistPolicy(hoursPerLevel: 24)

    public init(hoursPerLevel: Double) {
        precondition(hoursPerLevel > 0, "ageing step must be positive")
        self.hoursPerLevel = hoursPerLevel
    }

    /// `base` raised one level per `hoursPerLevel` of `waited` seconds, capped at urgent.
    public func effectiveUrgency(base: Urgency, waited: TimeInterval) -> Urgency {
        let levels = Int((max(0, waited) / 3600 / hoursPerLevel).rounded(.down))
        let all = Urgency.allCases
        let index = min(all.count - 1, all.firstIndex(of: base)! + min(levels, all.count))
        return all[index]
    }

    /// The worklist order of `studies` at `now`. Studies whose integrity fails come first, in
    /// arrival order: their stored urgency and score cannot be trusted to place them.
    package func ordered(_ studies: [StudyStore.Study], now: Date) -> [WorklistItem] {
        return studies.map { study in
            let arrival = Timestamp.date(study.createdAt) ?? now
            let base = study.urgency ?? .routine
            let waited = now.timeIntervalSince(arrival)
            return WorklistItem(study: study, baseUrgency: base, effectiveUrgency: effectiveUrgency(base: base, waited: waited),
                                waitingHours: max(0, waited) / 3600)
        }.sorted { a, b in
            if a.study.integrityFailed != b.study.integrityFailed { return a.study.integrityFailed }
            if a.study.integrityFailed { return (a.study.createdAt, a.study.id) < (b.study.createdAt, b.study.id) }
            if a.section != b.section { return a.section == .scored }
            if a.section == .notAssessed { return (a.study.createdAt, a.study.id) < (b.study.createdAt, b.study.id) }
            if a.effectiveUrgency != b.effectiveUrgency { return a.effectiveUrgency > b.effectiveUrgency }
            if a.baseUrgency != b.baseUrgency { return a.baseUrgency > b.baseUrgency }
            let sa = a.study.score ?? -1, sb = b.study.score ?? -1
            if sa != sb { return sa > sb }
            if a.study.createdAt != b.study.createdAt { return a.study.createdAt < b.study.createdAt }
            return a.study.id < b.study.id
        }
    }
}

/// One line of the worklist.
public struct WorklistItem: Sendable, Equatable {
    /// Where a study is listed: the model's verdicts by urgency, or the inputs it did not assess
    /// (refused or unreadable) by arrival.
    public enum Section: String, Sendable, Encodable {
        case scored
        case notAssessed = "not_assessed"
    }

    package let study: StudyStore.Study
    public var section: Section { study.status == .scored ? .scored : .notAssessed }
    /// The model's urgency (routine for studies it did not assess).
    package let baseUrgency: Urgency
    /// After ageing (`WorklistPolicy`).
    public let effectiveUrgency: Urgency
    public let waitingHours: Double
}
