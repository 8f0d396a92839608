import Crypto
import Foundation
import GRDB

/// A sealed column of a store, so re-encryption can find and re-seal its values.
public struct SealedColumn: Sendable {
    package var table: String
    public var column: String
    /// The column holding the row identifier used in the seal context.
    var rowColumn: String
    public var schemaVersion: Int

    public init(table: String, column: String, rowColumn: String, schemaVersion: Int = 1) {
        self.table = table
        self.column = column
        self.rowColumn = rowColumn
        self.schemaVersion = schemaVersion
    }
}

/// Key counts by key-encryption-key version and state, for `keys status`.
public struct KeyStatus: Sendable, Codable, Equatable {
    public var activeKEKVersion: Int
    public var keyringVersions: [Int]
    /// "purpose/state/kek version" → count.
    public var dataKeys: [String: Int]
    /// Data keys still wrapped under an older KEK (a rotation to finish).
    public var wrappedUnderOlderKEK: Int
    /// Fields keys being replaced by an unfinished `--reencrypt`.
    public var retiringFieldKeys: Int
}

extension Vault {
    public func status() throws -> KeyStatus {
        try writer.read { db in
            var counts: [String: Int] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT purpose, state, kek_version, COUNT(*) AS n FROM vault_keys GROUP BY 1, 2, 3")
            for row in rows {
                counts["\(row["purpose"] as String)/\(row["state"] as String)/v\(row["kek_version"] as Int)"] = row["n"]
            }
            let older = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vault_keys WHERE wrapped IS NOT NULL AND kek_version < ?",
                                         arguments: [keyring.activeVersion]) ?? 0
            let retiring = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vault_keys WHERE state = 'retiring'") ?? 0
            return KeyStatus(activeKEKVersion: keyring.activeVersion, keyringVersions: keyring.versions,
                             dataKeys: counts, wrappedUnderOlderKEK: older, retiringFieldKeys: retiring)
        }
    }

    /// Re-wraps every data key not yet under the keyring's active KEK, in batches of
    /// `batchSize` keys, each batch its own transaction (readers keep working: old and new
    /// KEKs both stay in the keyring). Returns how many keys were re-wrapped.
    @discardableResult
    public func rewrapAll(batchSize: Int = 500) throws -> Int {
        let active = keyring.activeVersion
        let kek = try keyring.key(version: active)
        var total = 0
        while true {
            let done = try writer.write { db -> Int in
                let records = try DataKeyRecord.fetchAll(db, sql: """
                    SELECT * FROM vault_keys WHERE wrapped IS NOT NULL AND kek_version <> ? ORDER BY id LIMIT ?
                    """, arguments: [active, batchSize])
                for var record in records {
                    let key = try self.unwrap(record)
                    record.wrapped = try KeyWrapping.wrap(key, kek: kek, store: self.store, id: record.id!, purpose: record.purpose)
                    record.kekVersion = active
                    try record.update(db)
                }
                return records.count
            }
            total += done
            if done == 0 { return total }
        }
    }

    /// Moves every value sealed with an older fields key to a fresh one, `batchSize` rows per
    /// transaction, then retires the old keys (deleting them). Resumable: a run that was
    /// killed leaves the old keys `retiring`, and the next run continues where it stopped.
    ///
    /// Other processes keep sealing with the old key for at most `Vault.activeKeyLifetime`;
    /// the old keys are deleted only after that time and only in the same transaction that
    /// finds no value still sealed with them, so a concurrent writer cannot strand a value.
    ///
    /// - Parameter progress: called after each batch with the rows moved so far; throwing
    ///   stops the run (as a kill would), leaving it resumable.
    /// - Returns: the number of values re-sealed.
    @discardableResult
    public func reencrypt(columns: [SealedColumn], batchSize: Int = 1000,
                          progress: (Int) throws -> Void = { _ in }) throws -> Int {
        // Start (or resume) the move: old active fields keys become retiring, a new one is active.
        try writer.write { db in
            let retiring = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vault_keys WHERE state = 'retiring'") ?? 0
            if retiring == 0 {
                try db.execute(sql: "UPDATE vault_keys SET state = 'retiring' WHERE purpose = 'fields' AND state = 'active'")
                _ = try self.insertKey(purpose: .fields, db)
            }
        }
        forgetActiveKeys()
        resetSession()
        let started = DispatchTime.now().uptimeNanoseconds
        let retiringIDs = try writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM vault_keys WHERE state = 'retiring'")
        }
        let prefixes = retiringIDs.map { id -> String in
            var hex = "X'"
            withUnsafeBytes(of: id.bigEndian) { for b in $0 { hex += String(format: "%02X", b) } }
            return hex + "'"
        }
        var moved = 0
        func select(_ column: SealedColumn, limit: Int) -> String {
            """
            SELECT "\(column.rowColumn)" AS row, "\(column.column)" AS value FROM "\(column.table)"
            WHERE substr("\(column.column)", 2, 8) IN (\(prefixes.joined(separator: ","))) LIMIT \(limit)
            """
        }
        repeat {
          for column in columns where !prefixes.isEmpty {
            let select = select(column, limit: batchSize)
            while true {
                let batch = try writer.write { db -> Int in
                    let rows = try Row.fetchAll(db, sql: select)
                    for row in rows {
                        let rowID: String = row["row"].map { "\($0)" } ?? ""
                        let context = SealContext(table: column.table, column: column.column, row: rowID,
                                                  schemaVersion: column.schemaVersion)
                        let resealed = try self.seal(try self.open(row["value"], context), context)
                        try db.execute(sql: "UPDATE \"\(column.table)\" SET \"\(column.column)\" = ? WHERE \"\(column.rowColumn)\" = ?",
                                       arguments: [resealed, row["row"] as DatabaseValue])
                    }
                    return rows.count
                }
                moved += batch
                try progress(moved)
                if batch < batchSize { break }
            }
          }
          // Let other processes' cached active keys expire before the final check.
          let elapsed = DispatchTime.now().uptimeNanoseconds - started
          if elapsed < Self.activeKeyLifetime * 2 { usleep(useconds_t((Self.activeKeyLifetime * 2 - elapsed) / 1000)) }
        } while try !writer.write({ db -> Bool in
            for column in columns where !prefixes.isEmpty {
                if try Row.fetchOne(db, sql: select(column, limit: 1)) != nil { return false }
            }
            try db.execute(sql: "UPDATE vault_keys SET state = 'retired', wrapped = NULL WHERE state = 'retiring'")
            return true
        })
        return moved
    }
}
