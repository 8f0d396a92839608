import Foundation
import RecordStore
import TestSupport
import Testing
import Vault
@testable import TriageCore

/// Studies: one per content hash, identifying DICOM fields sealed, headers crypto-shreddable.
struct StudyStoreTests {
    static func makeStore() throws -> (StudyStore, URL) {
        let home = try Fixtures.temporaryDirectory()
        let location = Fixtures.storeLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        return (try StudyStore(location: location, environment: [:]), home)
    }

    static let identity = StudyStore.Identity(patientName: "Okonkwo^Adaeze", patientID: "PID-99812", birthDate: "19870412",
                                              accession: "ACC-5521", sourcePath: "/archive/2026/okonkwo/chest.dcm")

    /// The vault reads its keys from the database and caches them for a second; reads and
    /// writes of a store open for longer must never ask it from inside a database access
    /// (GRDB stops the process: "Database methods are not reentrant"). Found in `make demo`.
    @Test func readsAndWritesLongAfterOpeningNeverReenterTheDatabase() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = StudyResult(sourceHash: String(repeating: "ab", count: 32), format: "png", identity: Self.identity,
                                 modelID: "m", verdict: .notAssessable(reason: "out_of_distribution", detail: "test"), thumbnail: nil)
        Thread.sleep(forTimeInterval: 1.2)  // past `Vault.activeKeyLifetime`
        let id = try store.record([result], actor: "test")[0]
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try store.studies(hashes: [result.sourceHash]).map(\.id) == [id])
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try store.worklist(policy: .default, actor: "test").map(\.study.id) == [id])
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try store.markRead(id: id, actor: "test", opinion: .init(verdict: .agree, note: "fine")) != .notFound)
        #expect(try store.verifyRecords().isIntact)
    }

    @Test func registrationIsIdempotentPerContentHash() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let first = try store.register(sourceHash: "abc123", format: "dicom", identity: Self.identity,
                                       originalHeaders: Data("(0010,0010) Okonkwo^Adaeze".utf8), actor: "batch")
        let again = try store.register(sourceHash: "abc123", format: "dicom", identity: Self.identity,
                                       originalHeaders: nil, actor: "batch")
        #expect(first.created && !again.created && first.id == again.id)
        let study = try #require(try store.study(id: first.id, actor: "dr-who"))
        #expect(study.identity == Self.identity)
        #expect(try store.studyIDs(patientID: "PID-99812") == [first.id])
    }

    @Test func shreddedHeadersAreGoneButTheStudyRemains() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let id = try store.register(sourceHash: "h1", format: "dicom", identity: Self.identity,
                                    originalHeaders: Data("(0010,0010) Okonkwo^Adaeze".utf8), actor: "batch").id
        #expect(try store.originalHeaders(id: id) == Data("(0010,0010) Okonkwo^Adaeze".utf8))
        try store.shredHeaders(id: id, actor: "privacy-officer")
        #expect(throws: VaultError.self) { try store.originalHeaders(id: id) }
        #expect(try store.study(id: id, actor: "dr-who")?.identity?.patientID == "PID-99812")
    }

    @Test func databaseFilesAndDeidentifiedExportHoldNoIdentifyingValue() throws {
        let (store, home) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        try store.register(sourceHash: "h2", format: "dicom", identity: Self.identity,
                           originalHeaders: Data("Okonkwo".utf8), actor: "batch")
        var exported = Data()
        #expect(try store.exportRecords(to: { exported.append($0) }, deidentify: true) == 1)
        let files = [store.secure.location.database.path, store.secure.location.database.path + "-wal"]
            .filter { FileManager.default.fileExists(atPath: $0) }
        for data in try files.map({ try Data(contentsOf: URL(fileURLWithPath: $0)) }) + [exported] {
            for needle in ["Okonkwo", "PID-99812", "19870412", "ACC-5521", "/archive/2026"] {
                #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) in clear")
            }
        }
        #expect(String(decoding: exported, as: UTF8.self).contains("\"patient-"))
    }
}
