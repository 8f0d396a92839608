import AuditLog
import Foundation
import RecordStore
import SuiteFoundation
import TestSupport
import Testing
import Vault
import GRDB
@testable import TriageCore

/// The worklist order with ageing, marking studies read, and what the store keeps of a verdict.
struct WorklistTests {
    static func study(_ id: String, urgency: Urgency?, score: Double?, hoursAgo: Double, now: Date) -> StudyStore.Study {
        StudyStore.Study(id: id, sourceHash: id, format: "png", status: score == nil ? .notAssessable : .scored,
                         modelID: "m", score: score, positive: score.map { $0 >= 0.5 }, probabilities: nil,
                         urgency: urgency, reason: score == nil ? "lateral_view" : nil, reasonDetail: nil,
                         createdAt: Timestamp.string(now.addingTimeInterval(-hoursAgo * 3600)),
                         scoredAt: nil, readAt: nil, patient: nil, identity: nil)
    }

    @Test func ageingRaisesOneLevelPerStepUpToUrgent() {
        let policy = WorklistPolicy(hoursPerLevel: 24)
        #expect(policy.effectiveUrgency(base: .routine, waited: 23.9 * 3600) == .routine)
        #expect(policy.effectiveUrgency(base: .routine, waited: 24 * 3600) == .priority)
        #expect(policy.effectiveUrgency(base: .routine, waited: 48 * 3600) == .urgent)
        #expect(policy.effectiveUrgency(base: .priority, waited: 500 * 3600) == .urgent)
        #expect(policy.effectiveUrgency(base: .urgent, waited: -10) == .urgent)
    }

    @Test func orderIsUrgencyThenScoreThenArrivalAndOldRoutineStudiesClimb() {
        let now = Date()
        let studies = [
            Self.study("fresh-routine", urgency: .routine, score: 0.2, hoursAgo: 1, now: now),
            Self.study("urgent-low", urgency: .urgent, score: 0.85, hoursAgo: 2, now: now),
            Self.study("urgent-high", urgency: .urgent, score: 0.97, hoursAgo: 1, now: now),
            Self.study("priority", urgency: .priority, score: 0.6, hoursAgo: 3, now: now),
            Self.study("old-routine", urgency: .routine, score: 0.1, hoursAgo: 30, now: now),
            Self.study("very-old-routine", urgency: .routine, score: 0.05, hoursAgo: 50, now: now),
            Self.study("lateral", urgency: nil, score: nil, hoursAgo: 1, now: now),
            Self.study("same-score-older", urgency: .routine, score: 0.2, hoursAgo: 2, now: now),
        ]
        let items = WorklistPolicy.default.ordered(studies, now: now)
        #expect(items.map(\.study.id) == ["urgent-high", "urgent-low", "very-old-routine", "priority", "old-routine",
                                          "same-score-older", "fresh-routine", "lateral"])
        #expect(items[2].effectiveUrgency == .urgent && items[2].baseUrgency == .routine)
        #expect(abs(items[2].waitingHours - 50) < 0.01)
        #expect(WorklistPolicy(hoursPerLevel: 1000).ordered(studies, now: now).map(\.study.id).suffix(2) == ["very-old-routine", "lateral"])
    }

    @Test func storedVerdictsFormTheWorklistAndReadingIsAudited() throws {
        let (store, home) = try StudyStoreTests.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let map = ActivationMap(values: [0, 1, 2, 3], width: 2, height: 2)
        func scored(_ hash: String, _ score: Double, _ urgency: Urgency) -> StudyResult {
            var s = StudyScore(Prediction(probabilities: ["pneumonia": score, "normal": 1 - score], score: score, positive: score >= 0.5,
                                          urgency: urgency, cam: map.values, camWidth: 2, camHeight: 2))
            s.activation = map
            return StudyResult(sourceHash: hash, format: "dicom", identity: StudyStoreTests.identity, modelID: "m1",
                               verdict: .scored(s), thumbnail: Data("png".utf8))
        }
        let lateral = StudyResult(sourceHash: "h3", format: "dicom", identity: .init(sourcePath: "/x/lat.dcm"), modelID: "m1",
                                  verdict: .notAssessable(reason: "lateral_view", detail: "view position LL"), thumbnail: nil)
        let ids = try store.record([scored("h1", 0.3, .routine), scored("h2", 0.95, .urgent), lateral, scored("h1", 0.3, .routine)],
                                   actor: "batch")
        #expect(ids[0] == ids[3] && Set(ids).count == 3)
        #expect(try store.completedHashes(modelID: "m1") == ["h1", "h2", "h3"] && store.completedHashes(modelID: "m2").isEmpty)
        #expect(try store.activation(id: ids[1]) == map && store.thumbnail(id: ids[1]) == Data("png".utf8))
        let list = try store.worklist(policy: .default, actor: "dr")
        #expect(list.map(\.study.id) == [ids[1], ids[0], ids[2]])
        #expect(list[0].study.probabilities?["pneumonia"] == 0.95 && list[0].study.patient?.hasPrefix("patient-") == true)
        #expect(list[2].study.reason == "lateral_view" && list[2].study.reasonDetail == "view position LL")

        guard case .marked = try store.markRead(id: ids[1], actor: "dr") else { Issue.record("not marked"); return }
        guard case .alreadyRead = try store.markRead(id: ids[1], actor: "dr") else { Issue.record("marked twice"); return }
        #expect(try store.markRead(id: "nope", actor: "dr") == .notFound)
        #expect(try store.worklist(policy: .default, limit: 1, actor: "dr").map(\.study.id) == [ids[0]])
        let entries = try store.secure.database.read { try AuditEntry.fetchAll($0) }
        #expect(entries.filter { $0.action == "inference" }.count == 4 && entries.filter { $0.action == "record.create" }.count == 3)
        #expect(entries.filter { $0.action == "review" }.map(\.objectID) == [ids[1]])
        #expect(entries.filter { $0.action == "query" }.count == 2)
        #expect(try store.secure.audit.verify().isIntact)
        // A verdict from another model replaces the old one, the study stays.
        try store.record([scored("h1", 0.7, .priority)].map { var r = $0; r.modelID = "m2"; return r }, actor: "batch")
        #expect(try store.studies(hashes: ["h1"]).first?.score == 0.7 && store.studies(hashes: ["h1"]).first?.id == ids[0])
    }
}
