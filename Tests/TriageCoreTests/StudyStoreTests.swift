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
