import Foundation
import GRDB

/// One data-encryption key of a store, wrapped by a key-encryption key (table `vault_keys`).
struct DataKeyRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "vault_keys"

    enum Purpose: String, Codable, CaseIterable {
        /// Seals identifying fields; one is active at a time.
        case fields
        /// Keys the audit log's HMAC chain.
        case audit
        /// Keys the HMAC of identifier lookup columns.
        case lookup
        /// A per-record key for the most sensitive payloads; deleting it shreds the record.
        case record
    }

    enum State: String, Codable {
        case active
        /// Being replaced by `keys rotate --reencrypt`: still opens values, seals nothing new.
        case retiring
        /// No longer used; the wrapped key is gone.
        case retired
        /// Deleted on purpose: what it sealed is unrecoverable.
        case shredded
    }

    var id: Int64?
    var purpose: Purpose
    var state: State
    var kekVersion: Int
    /// `salt (16) | ciphertext (32) | tag (16)`, nil once retired or shredded.
    var wrapped: Data?
    var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, purpose, state, wrapped
        case kekVersion = "kek_version"
        case createdAt = "created_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("vault v1") { db in
            try db.create(table: databaseTableName) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("purpose", .text).notNull()
                    .check(sql: "purpose IN ('fields', 'audit', 'lookup', 'record')")
                t.column("state", .text).notNull()
                    .check(sql: "state IN ('active', 'retiring', 'retired', 'shredded')")
                t.column("kek_version", .integer).notNull().check(sql: "kek_version > 0")
                t.column("wrapped", .blob)
                    .check(sql: "(wrapped IS NULL) = (state IN ('retired', 'shredded'))")
                t.column("created_at", .text).notNull()
            }
            try db.create(index: "vault_keys_purpose_state", on: databaseTableName, columns: ["purpose", "state"])
        }
    }
}
