import Foundation
import Testing
@testable import TriageCore
import TriageTestSupport

/// The spool's bookkeeping without a network: duplicates, the quota, what a restart finds, and
/// which files the drain takes (complete studies after the quiet period, urgent first).
struct InstanceSpoolTests {
    static func spool(quotaBytes: Int64 = 1 << 20) throws -> (InstanceSpool, URL) {
        let (store, home) = try StudyStoreTests.makeStore()
        return (try InstanceSpool(folder: home.appendingPathComponent("spool"), quotaBytes: quotaBytes, store: store), home)
    }

    @Test func duplicatesQuotaAndRestart() throws {
        let (spool, home) = try Self.spool(quotaBytes: 3000)
        defer { try? FileManager.default.removeItem(at: home) }
        let bytes = Data(repeating: 7, count: 1000)
        #expect(spool.put(sopInstanceUID: "1.2.3.1", studyInstanceUID: "1.2.3", part10: bytes, actor: "test") == .stored)
        #expect(spool.put(sopInstanceUID: "1.2.3.1", studyInstanceUID: "1.2.3", priority: .high, part10: bytes, actor: "test") == .duplicate)
        #expect(spool.put(sopInstanceUID: "1.2.3.2", studyInstanceUID: "1.2.3", part10: bytes, actor: "test") == .stored)
        guard case .full = spool.put(sopInstanceUID: "1.2.3.3", studyInstanceUID: "1.2.3", part10: bytes, actor: "test") else {
            Issue.record("a third instance must not fit 3000 bytes with the sealing overhead"); return
        }
        #expect(spool.depth.instances == 2)
        let names = try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("spool/incoming").path)
        #expect(names.count == 2 && names.allSatisfy { !$0.contains("1.2.3") }, "no UID in clear: \(names)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("spool/tmp").path).isEmpty)
        // A new process finds what waits, and still knows the duplicates.
        let reopened = try InstanceSpool(folder: spool.folder, quotaBytes: 3000, store: spool.store)
        #expect(reopened.depth.instances == 2 && reopened.depth.bytes == spool.depth.bytes)
        #expect(reopened.put(sopInstanceUID: "1.2.3.2", studyInstanceUID: "1.2.3", part10: bytes, actor: "test") == .duplicate)
        #expect(try reopened.open(reopened.pending()[0]) == bytes)
    }

    @Test func drainTakesCompleteStudiesUrgentFirst() throws {
        let (spool, home) = try Self.spool()
        defer { try? FileManager.default.removeItem(at: home) }
        let bytes = Data(repeating: 1, count: 100)
        #expect(spool.put(sopInstanceUID: "9.1", studyInstanceUID: "9", priority: .medium, part10: bytes, actor: "t") == .stored)
        #expect(spool.put(sopInstanceUID: "8.1", studyInstanceUID: "8", priority: .low, part10: bytes, actor: "t") == .stored)
        #expect(spool.put(sopInstanceUID: "7.1", studyInstanceUID: "7", priority: .high, part10: bytes, actor: "t") == .stored)
        let keys = { (urls: [URL]) in urls.map(InstanceSpool.key(of:)) }
        let all = try ["7.1", "9.1", "8.1"].map(spool.instanceKey)
        #expect(keys(spool.pending()) == all, "high, then medium, then low")
        // With a quiet period, nothing is ready right after arrival; all of it once the period passed.
        #expect(spool.pending(quietPeriod: 60).isEmpty)
        #expect(keys(spool.pending(quietPeriod: 60, now: Date().addingTimeInterval(61))) == all)
        // A study that announces its size is complete once that many instances are here.
        #expect(spool.put(sopInstanceUID: "6.1", studyInstanceUID: "6", studySize: 2, part10: bytes, actor: "t") == .stored)
        #expect(spool.pending(quietPeriod: 60).isEmpty)
        #expect(spool.put(sopInstanceUID: "6.2", studyInstanceUID: "6", studySize: 2, part10: bytes, actor: "t") == .stored)
        #expect(Set(keys(spool.pending(quietPeriod: 60))) == Set(try ["6.1", "6.2"].map(spool.instanceKey)))
        #expect(spool.put(sopInstanceUID: "5.1", studyInstanceUID: "5", studySize: 1, part10: bytes, actor: "t") == .stored)
        #expect(keys(spool.pending(quietPeriod: 60)).contains(try spool.instanceKey("5.1")), "a single-image study at once")
    }
}
