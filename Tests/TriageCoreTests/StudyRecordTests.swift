import AuditLog
import Foundation
import GRDB
import RecordStore
import TestSupport
import Testing
import Vault
@testable import TriageCore

/// Stored studies read back as typed values: a value changed outside the suite is an error
/// naming the table, the row and the column; a store written by an earlier schema still opens.
struct StudyRecordTests {
    /// Writes `sql` with the CHECK constraints off, as someone editing the file by hand could.
    static func tamper(_ store: StudyStore, _ sql: String, _ arguments: StatementArguments) throws {
        try store.secure.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: sql, arguments: arguments)
            try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
        }
    }

    @Test(arguments: [("status", "'bogus'"), ("urgency", "'soon'"), ("probabilities", "'{\"normal\": '"),
                      ("score", "'high'"), ("positive", "'maybe'")])
    func aCorruptStoredValueNamesTableRowAndColumn(column: String, value: String) throws {
        let (store, home) = try StudyStoreTests.makeStore()
        defer { try? FileManager.default.removeItem(at: home) }
        let id = try store.register(sourceHash: "h", format: "png", identity: StudyStoreTests.identity, originalHeaders: nil,
                                    actor: "test").id
        #expect(try store.study(id: id, actor: "test")?.status == .pending)
        try Self.tamper(store, "UPDATE studies SET \(column) = \(value) WHERE id = ?", [id])
        #expect { try store.study(id: id, actor: "test") } throws: { error in
            guard let corrupt = error as? CorruptRecordError else { return false }
            return corrupt.table == "studies" && corrupt.row == id && corrupt.column == column
        }
        #expect(throws: CorruptRecordError.self) { try store.exportRecords(to: { _ in }, deidentify: true) }
    }

    @Test func aStoreWrittenBeforeTheScoresMigrationOpensAndReads() throws {
        let home = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let location = Fixtures.storeLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        // The schema of the first release: the vault, the audit log and `triage v1` only.
        let pool = try SecureStore.openDatabase(at: location.database)
        var migrator = DatabaseMigrator()
        Vault.registerMigrations(&migrator)
        AuditLog.registerMigrations(&migrator)
        TriageSchema.registerMigrations(&migrator)
        try migrator.migrate(pool, upTo: "triage v1")
        try pool.write { db in
            #expect(try !db.columns(in: "studies").contains { $0.name == "positive" })
            try db.execute(sql: """
                INSERT INTO studies (id, source_hash, format, status, model_id, score, probabilities, urgency, created_at)
                VALUES ('old-1', 'hash-1', 'png', 'scored', 'm0', 0.93, '{"normal":0.07,"pneumonia":0.93}', 'urgent',
                        '2026-01-02T03:04:05.678Z')
                """)
        }
        try pool.close()
        let store = try StudyStore(location: location, environment: [:])
        let study = try #require(try store.study(id: "old-1", actor: "test"))
        #expect(study.status == .scored && study.urgency == .urgent && study.score == 0.93 && study.positive == nil)
        #expect(study.probabilities == ["normal": 0.07, "pneumonia": 0.93] && study.identity == StudyStore.Identity())
        #expect(try store.unreadStudies().map(\.id) == ["old-1"])
    }
}
