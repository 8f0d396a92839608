import ArgumentParser
import AuditLog
import Foundation
import GRDB
import RecordStore
import Vault

/// Appends audit entries to a store's log in batches (the concurrent-writer test runs two of these).
struct AuditAppend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-append", abstract: "Append COUNT audit entries to the store in HOME; prints entries/s.")
    @Option var home: String
    @Option var count = 10_000
    @Option var batch = 50
    @Option var actor = "bench"

    func run() throws {
        let store = try SecureStore(product: "test", location: StoreLocation(home: URL(fileURLWithPath: home)),
                                    keysVariable: "TEST_KEYS", migrations: { _ in })
        let t = try seconds {
            for start in stride(from: 0, to: count, by: batch) {
                try store.audit.append((start..<min(start + batch, count)).map {
                    AuditEvent(actor: actor, action: .inference, objectType: "bench", objectID: "\($0)")
                })
            }
        }
        try printJSON(["entries": count, "batch": batch, "entries_per_s": Double(count) / t])
    }
}

/// Seal/open throughput, durable audit appends and rotation time, on a temporary store.
struct VaultBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vault", abstract: "Vault and audit log figures.")
    @Option var records = 100_000
    @Option var runs = 5

    func run() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("suite-vault-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: home) }
        let location = StoreLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        let columns = [SealedColumn(table: "bench", column: "payload", rowColumn: "id")]
        let store = try SecureStore(product: "bench", location: location, keysVariable: "BENCH_KEYS") { m in
            m.registerMigration("bench v1") { db in
                try db.create(table: "bench") { t in
                    t.primaryKey("id", .text)
                    t.column("payload", .blob).notNull()
                }
            }
        }
        let vault = store.vault
        let record = Data((0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let contexts = (0..<10_000).map { SealContext(table: "bench", column: "payload", row: "r\($0)") }

        var sealRates: [Double] = [], openRates: [Double] = []
        for _ in 0..<runs {
            var sealed: [Data] = []
            sealed.reserveCapacity(contexts.count)
            let ts = try seconds { for c in contexts { sealed.append(try vault.seal(record, c)) } }
            let to = try seconds { for (c, s) in zip(contexts, sealed) { _ = try vault.open(s, c) } }
            sealRates.append(Double(contexts.count) / ts)
            openRates.append(Double(contexts.count) / to)
        }

        var appendRates: [Double] = []
        for _ in 0..<runs {
            let t = try seconds {
                for start in stride(from: 0, to: 5_000, by: 50) {
                    try store.audit.append((start..<(start + 50)).map {
                        AuditEvent(actor: "bench", action: .inference, objectType: "bench", objectID: "\($0)")
                    })
                }
            }
            appendRates.append(5_000 / t)
        }

        // Rotation over `records` sealed rows: re-wrap only, then full re-encryption.
        try store.database.write { db in
            for i in 0..<records {
                let c = SealContext(table: "bench", column: "payload", row: "row\(i)")
                try db.execute(sql: "INSERT INTO bench (id, payload) VALUES (?, ?)", arguments: ["row\(i)", try vault.seal(record, c)])
            }
        }
        let keyring = try KeyringFile.read(location.keyFile).addingVersion()
        try KeyringFile.write(keyring, to: location.keyFile)
        let rotated = try SecureStore(product: "bench", location: location, keysVariable: "BENCH_KEYS", migrations: { _ in })
        let rewrap = try seconds { try rotated.vault.rewrapAll() }
        let reencrypt = try seconds { try rotated.vault.reencrypt(columns: columns, batchSize: 1000) }

        try printJSON([
            "record_bytes": record.count,
            "seal_records_per_s": median(sealRates), "seal_mb_per_s": median(sealRates) * 1024 / 1e6,
            "open_records_per_s": median(openRates), "open_mb_per_s": median(openRates) * 1024 / 1e6,
            "audit_appends_per_s_batch_50": median(appendRates),
            "rotation_records": records, "rotation_rewrap_s": rewrap, "rotation_reencrypt_s": reencrypt,
            "runs": runs,
        ])
    }
}

/// Runs `keys rotate --reencrypt` on a test store (the kill-and-resume test drives this).
struct Reencrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reencrypt", abstract: "Re-encrypt the sealed columns of a test store in HOME.")
    @Option var home: String
    @Option var batchSize = 1000

    func run() throws {
        let store = try SecureStore(product: "test", location: StoreLocation(home: URL(fileURLWithPath: home)),
                                    keysVariable: "TEST_KEYS", migrations: { _ in })
        let columns = [SealedColumn(table: "people", column: "name_sealed", rowColumn: "id"),
                       SealedColumn(table: "people", column: "email_sealed", rowColumn: "id")]
        let moved = try store.vault.reencrypt(columns: columns, batchSize: batchSize)
        try store.audit.append(AuditEvent(actor: "bench", action: .keyManagement, objectType: "keyring", objectID: "reencrypt",
                                          details: ["moved": .int(moved)]))
        try printJSON(["moved": moved])
    }
}
