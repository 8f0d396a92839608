import AuditLog
import Foundation
import GRDB
import RecordStore
import SuiteFoundation
import TestSupport
import Testing
import TriageTestSupport
import Vault
@testable import TriageCore

/// `triage batch` in the core: counts and reasons, re-runs that repeat nothing, identities
/// sealed, a failing store write, shards that cover every image once, and merge.
struct BatchRunnerTests {
    struct Setup {
        let model: TriageModel
        let dir: URL
        let inputs: URL

        func store(_ name: String) throws -> StudyStore {
            let location = Fixtures.storeLocation(home: dir.appendingPathComponent(name))
            if !FileManager.default.fileExists(atPath: location.keyFile.path) {
                try FileManager.default.createDirectory(at: location.home, withIntermediateDirectories: true)
                try KeyringFile.create(at: location.keyFile)
            }
            return try StudyStore(location: location, environment: [:])
        }

        func run(_ store: StudyStore, shard: Shard? = nil, input: URL? = nil, batchSize: Int = 4, commitSize: Int = 32)
            throws -> (BatchRunner.Outcome, [BatchEvent]) {
            try run(store, source: try InputSources.open((input ?? inputs).path), shard: shard, batchSize: batchSize,
                    commitSize: commitSize)
        }

        func run(_ store: StudyStore, source: any InputSource, shard: Shard? = nil, batchSize: Int = 4, commitSize: Int = 32)
            throws -> (BatchRunner.Outcome, [BatchEvent]) {
            var events: [BatchEvent] = []
            let options = BatchRunner.Options(plan: try ComputePlan(workers: 2, threads: 1, cores: 2), shard: shard,
                                              batchSize: batchSize, commitSize: commitSize, actor: "test")
            let outcome = try BatchRunner(model: model, store: store, options: options).run(source, log: { events.append($0) })
            return (outcome, events)
        }
    }

    /// The demo set at 32×32: 8 phantoms, 3 not assessable, a text file, a truncated PNG.
    static func setup() throws -> Setup {
        let dir = try Fixtures.temporaryDirectory()
        let model = try TriageModel.load(directory: TinyTriageModel.write(to: dir.appendingPathComponent("model")))
        let inputs = dir.appendingPathComponent("inputs")
        try DemoInputs.write(to: inputs, size: 32)
        return Setup(model: model, dir: dir, inputs: inputs)
    }

    @Test func batchScoresSkipsAndReportsAndARerunRepeatsNothing() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        try FileManager.default.copyItem(at: s.inputs.appendingPathComponent("chest-clear.png"),
                                         to: s.inputs.appendingPathComponent("copy-of-clear.png"))
        let store = try s.store("home")
        let (first, events) = try s.run(store)
        #expect(first.summary == BatchSummary(seen: 14, scored: 8, notAssessable: 3, alreadyDone: 1, skipped: 1, otherShard: 0, failed: 1))
        // 11 studies and the truncated PNG (stored as failed); the copy of the clear chest repeats a hash.
        #expect(first.inputError == nil && Set(first.hashes).count == 12 && first.hashes.count == 13)
        #expect(events.contains(.skipped(name: s.inputs.path + "/README.txt", reason: "not a PNG, JPEG or DICOM file")))
        #expect(events.contains { if case .failed(let name, let reason) = $0 { name.hasSuffix("truncated.png") && reason.contains("corrupt PNG") } else { false } })
        let again = try s.run(store).0
        #expect(again.summary.scored == 0 && again.summary.notAssessable == 0 && again.summary.alreadyDone == 12)
        #expect(Set(again.hashes) == Set(first.hashes))

        let entries = try store.secure.database.read { try AuditEntry.fetchAll($0) }
        // One study per content: the truncated PNG is tried again by the re-run (a new inference
        // entry saying it failed again), never stored twice.
        #expect(entries.filter { $0.action == "inference" }.count == 13 && entries.filter { $0.action == "record.create" }.count == 12)
        #expect(try store.secure.audit.verify().isIntact)
        let studies = try store.studies(hashes: first.hashes)
        #expect(studies.filter { $0.status == .scored }.allSatisfy { $0.score != nil && $0.probabilities?.count == 2 })
        #expect(Set(studies.compactMap(\.reason)) == ["lateral_view", "not_radiograph", "unsupported_photometry", "unreadable"])
        let failed = try #require(studies.first { $0.status == .failed })
        #expect(failed.reasonDetail?.contains("corrupt PNG") == true && failed.reasonDetail?.contains("truncated.png") == false)
        #expect(try store.study(id: failed.id, actor: "test")?.identity?.sourcePath?.hasSuffix("truncated.png") == true)  // sealed
        let lateral = try #require(studies.first { $0.reason == "lateral_view" })
        #expect(try store.study(id: lateral.id, actor: "test")?.identity?.patientName == "PHANTOM^LATERAL")
        let dicom = try #require(studies.first { $0.format == "dicom" && $0.status == .scored })
        #expect(try store.thumbnail(id: dicom.id) != nil && store.activation(id: dicom.id)?.values.isEmpty == false)
        for file in [store.secure.location.database.path, store.secure.location.database.path + "-wal"]
            where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            for needle in ["PHANTOM", "SYN-100", "ACC-SYN", "chest-clear", s.inputs.path] {
                #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(needle) in clear in \(file)")
            }
        }
    }

    @Test func archivesGoThroughTheSamePipeline() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let names = try FileManager.default.contentsOfDirectory(atPath: s.inputs.path).sorted()
        let members = try names.map { TestArchives.Member("study/\($0)", try Data(contentsOf: s.inputs.appendingPathComponent($0))) }
            + [.init("../../escape.dcm", Data("x".utf8)), .init("empty.dcm"), .init("link.png", kind: .symlink(to: "/etc/passwd"))]
        let zip = s.dir.appendingPathComponent("studies.zip"), tgz = s.dir.appendingPathComponent("studies.tgz")
        try TestArchives.zip(members, to: zip)
        try TestArchives.gzip(TestArchives.tar(members)).write(to: tgz)
        for archive in [zip, tgz] {
            let (outcome, events) = try s.run(try s.store("home-\(archive.pathExtension)"), input: archive)
            #expect(outcome.summary.scored == 8 && outcome.summary.notAssessable == 3, "\(archive.lastPathComponent)")
            #expect(outcome.summary.failed == 3 && outcome.summary.skipped == 2, "\(events)")  // truncated, escape, empty .dcm; README, link
            // Stored as a failed study (its name looks like a DICOM), logged without its name in the reason.
            #expect(events.contains(.failed(name: archive.path + ":../../escape.dcm", reason: "path leaves the archive root; not extracted")))
            #expect(outcome.hashes.count == 14, "\(outcome.hashes.count) stored")  // 11 studies, truncated, escape, empty
        }
    }

    /// Entries given as an archive would give them when they cannot be read.
    struct FailedEntries: InputSource {
        let label = "arch.zip"
        let entries: [InputEntry]
        func forEach(_ body: (InputEntry) throws -> Void) throws { for entry in entries { try body(entry) } }
        var progress: Double? { nil }
    }

    /// An entry that cannot be read (corrupt, over the cap, a name leaving the root) is stored
    /// as a failed study when its name looks like an image, keyed by the store's keyed hash of
    /// its name: it is on the worklist's "not assessed" section with its reason, its name is
    /// sealed, and a re-run updates that one study.
    @Test func unreadableEntriesAreFailedStudiesStoredOnce() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let store = try s.store("home")
        let source = FailedEntries(entries: [
            .failed(name: "arch.zip:series/IM0001", error: .corruptEntry(entry: "arch.zip:series/IM0001", reason: "bad CRC")),
            .failed(name: "arch.zip:notes.txt", error: .corruptEntry(entry: "arch.zip:notes.txt", reason: "bad CRC")),
            .failed(name: "arch.zip:big.PNG", error: .entryTooLarge(entry: "arch.zip:big.PNG", limit: 10)),
        ])
        let (first, events) = try s.run(store, source: source)
        #expect(first.summary.failed == 3 && first.hashes.count == 2, "\(first.summary)")
        #expect(events.contains(.failed(name: "arch.zip:notes.txt", reason: "arch.zip:notes.txt: corrupt entry: bad CRC")))
        let key = try store.unreadableEntryKey("arch.zip:series/IM0001")
        #expect(first.hashes == [key, try store.unreadableEntryKey("arch.zip:big.PNG")])
        #expect(key.count == 64 && key != ContentHash.sha256(Data("arch.zip:series/IM0001".utf8)))
        let studies = try store.studies(hashes: first.hashes)
        #expect(studies.map(\.status) == [.failed, .failed] && studies.map(\.format) == ["dicom", "png"])
        #expect(studies.map(\.reason) == ["unreadable", "unreadable"])
        #expect(studies.map(\.reasonDetail) == ["corrupt entry: bad CRC", "larger than the 10-byte entry cap; not read"])
        let shown = try #require(try store.study(id: studies[0].id, actor: "test"))
        #expect(shown.identity?.sourcePath == "arch.zip:series/IM0001")
        let worklist = try store.worklist(policy: .default, actor: "test")
        #expect(Set(worklist.filter { $0.section == .notAssessed }.map(\.study.id)) == Set(studies.map(\.id)))
        let stored = try store.secure.database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM studies") }
        #expect(!stored.description.contains("IM0001") && !stored.description.contains("big.PNG"))  // names sealed

        let again = try s.run(store, source: source).0
        #expect(again.hashes == first.hashes)
        #expect(try store.secure.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM studies") } == 2)
    }

    @Test func theFormatOfAnUnreadableEntryIsGuessedFromItsName() {
        #expect(StudyResult.guessedFormat("a.zip:x/y.png") == "png" && StudyResult.guessedFormat("scan.JPG") == "jpeg")
        #expect(StudyResult.guessedFormat("a.tar:IM0001") == "dicom" && StudyResult.guessedFormat("/in/x.dcm") == "dicom")
        #expect(StudyResult.guessedFormat("a.zip:.hidden") == "dicom")
        #expect(StudyResult.guessedFormat("a.zip:notes.txt") == nil && StudyResult.guessedFormat("a.zip:dir.v2/report.pdf") == nil)
    }

    /// A write that fails (as on a full disk) fails that batch's files only; the store stays
    /// consistent and the next run completes the work.
    @Test func aFailingStoreWriteFailsItsBatchOnlyAndARerunCompletes() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let store = try s.store("home")
        try store.secure.database.write { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER full_disk BEFORE UPDATE OF status ON studies
                WHEN (SELECT count(*) FROM studies WHERE status != 'pending') >= 3
                BEGIN SELECT RAISE(ABORT, 'database or disk is full (simulated)'); END
                """)
        }
        let (broken, events) = try s.run(store, batchSize: 1, commitSize: 1)
        #expect(broken.summary.scored + broken.summary.notAssessable == 3 && broken.summary.failed == 1 + 8)
        // The 8 verdicts after the third, and the truncated PNG's failed study, could not be stored.
        #expect(events.filter { if case .failed(_, let r) = $0 { r.contains("result not stored") && r.contains("disk is full") } else { false } }.count == 9)
        let rows = try store.secure.database.read { try Row.fetchAll($0, sql: "SELECT status FROM studies") }
        #expect(rows.count == 3 && rows.allSatisfy { ($0["status"] as String) != "pending" })  // nothing half-written
        #expect(try store.secure.audit.verify().isIntact)
        try store.secure.database.write { try $0.execute(sql: "DROP TRIGGER full_disk") }
        let rerun = try s.run(store).0
        #expect(rerun.summary.scored + rerun.summary.notAssessable == 8 && rerun.summary.alreadyDone == 3)
        let inference = try store.secure.database.read { try AuditEntry.filter(Column("action") == "inference").fetchCount($0) }
        #expect(inference == 12)  // 11 verdicts and the truncated PNG stored as failed
    }

    @Test func shardsCoverEveryImageExactlyOnceAndMergeJoinsThem() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let whole = try s.run(try s.store("whole")).0
        var seen: [String] = []
        var shardStores: [StudyStore] = []
        for i in 0..<3 {
            let store = try s.store("shard\(i)")
            let outcome = try s.run(store, shard: try Shard(index: i, count: 3)).0
            // 12 files have image content (11 studies and the truncated PNG); the text file is skipped by every shard.
            #expect(outcome.summary.otherShard + outcome.summary.done + outcome.summary.failed == 12 && outcome.summary.skipped == 1)
            seen += outcome.hashes
            shardStores.append(store)
        }
        #expect(seen.sorted() == whole.hashes.sorted())  // every image once: no gap, no overlap

        let target = try s.store("merged")
        var copied = 0
        for store in shardStores { copied += try target.merge(from: store, actor: "test").copied }
        #expect(copied == 12)  // 11 studies and the truncated PNG, stored as failed
        for store in shardStores { #expect(try target.merge(from: store, actor: "test") == .init(copied: 0, alreadyPresent: store.studies(hashes: seen).count)) }
        let merged = try target.studies(hashes: seen)
        #expect(merged.count == 12)
        for store in shardStores {
            for original in try store.studies(hashes: seen) {
                let copy = try #require(merged.first { $0.sourceHash == original.sourceHash })
                #expect(copy.id == original.id && copy.score == original.score && copy.createdAt == original.createdAt)
                #expect(try target.study(id: copy.id, actor: "test")?.identity == store.study(id: original.id, actor: "test")?.identity)
                #expect(try target.thumbnail(id: copy.id) == store.thumbnail(id: original.id))
                #expect(try target.activation(id: copy.id) == store.activation(id: original.id))
            }
            #expect(try store.secure.audit.verify().isIntact)
        }
        #expect(try target.secure.audit.verify().isIntact)
        #expect(try target.worklist(policy: .default, actor: "test").count == 12)
    }

    @Test func shardsAndThreadPlansAreValidated() throws {
        #expect(try Shard(parsing: "2/5") == Shard(index: 2, count: 5))
        for bad in ["5/5", "-1/3", "1", "a/b", "1/0", "1/2/3"] { #expect(throws: ShardError.self) { try Shard(parsing: bad) } }
        let hash = String(repeating: "0", count: 15) + "7" + String(repeating: "f", count: 48)
        #expect(try Shard(index: 1, count: 2).contains(sha256: hash) && Shard(index: 3, count: 4).contains(sha256: hash))
        #expect(try ComputePlan(workers: nil, threads: nil, cores: 8) == ComputePlan(workers: 4, threads: 2, cores: 8))
        #expect(try ComputePlan(workers: nil, threads: nil, cores: 1).workers == 1)
        #expect(try ComputePlan(workers: 3, threads: nil, cores: 8).blasThreads == 2)
        #expect(try ComputePlan(workers: nil, threads: 4, cores: 8).workers == 2)
        #expect(throws: ComputePlanError.oversubscribed(workers: 3, threads: 3, cores: 8)) { try ComputePlan(workers: 3, threads: 3, cores: 8) }
        #expect(throws: ComputePlanError.self) { try ComputePlan(workers: 0, threads: nil, cores: 8) }
    }
}
