import Foundation
import GRDB
import SuiteFoundation
import Vault

/// A store's identity: a random id made when the store is created, kept in the store
/// (`store_identity`) and in its key file (`"store"`), so a store that was emptied, truncated to
/// 0 bytes or replaced by another is recognised instead of being treated as a new, empty one.
enum StoreIdentity {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("store identity v1") { db in
            try db.create(table: "store_identity") { t in
                t.primaryKey("id", .text)
                t.column("product", .text).notNull()
                t.column("created_at", .text).notNull()
                // Fixed when the store is made, so every later process finds the same witness
                // whatever its environment; tagged, so it cannot be redirected without the key.
                t.column("witness_folder", .text)
                t.column("integrity", .blob)
            }
        }
    }


    /// Checks before the database is opened: a 0-byte store, or a missing one that the key file
    /// says existed, is never silently replaced by a new, empty store.
    static func checkFile(_ location: StoreLocation, keyring: Keyring, creating: Bool) throws {
        let path = location.database.path
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int {
            if size == 0 { throw StoreIdentityError.emptyFile(path: path) }
        } else if let id = keyring.storeID, !creating {
            throw StoreIdentityError.historyGone(path: path, storeID: id, keySource: keyring.source)
        }
    }

    /// The store's identity, reconciled with the key file's.
    ///
    /// A new store takes the key file's identity (`keys init`, `creating`) or a fresh one; a key
    /// file that lacks one adopts the store's (when it is a writable file). A store without an
    /// identity whose key file names one lost its history; a store with another identity was replaced.
    static func reconcile(_ db: DatabasePool, keyring: Keyring, location: StoreLocation, product: String,
                          fromEnvironment: Bool, creating: Bool) throws -> String {
        let (stored, hasHistory) = try db.read { db in
            (try String.fetchOne(db, sql: "SELECT id FROM store_identity"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM vault_keys")! > 0)
        }
        if let stored {
            if let expected = keyring.storeID, expected != stored {
                throw StoreIdentityError.replaced(path: location.database.path, found: stored, expected: expected,
                                                  keySource: keyring.source)
            }
            if keyring.storeID == nil && !fromEnvironment { adopt(stored, keyring: keyring, keyFile: location.keyFile) }
            return stored
        }
        if let expected = keyring.storeID, hasHistory || !creating {
            throw StoreIdentityError.historyGone(path: location.database.path, storeID: expected, keySource: keyring.source)
        }
        let id = keyring.storeID ?? StoreLocation.newStoreID()
        try db.write { db in
            try db.execute(sql: "INSERT INTO store_identity (id, product, created_at) VALUES (?, ?, ?)",
                           arguments: [id, product, Timestamp.now()])
        }
        if keyring.storeID == nil && !fromEnvironment { adopt(id, keyring: keyring, keyFile: location.keyFile) }
        return id
    }

    /// The folder of the store's default witness: the one recorded with its identity, or, for
    /// a new store (or one made before witnesses), `proposed`, which is then recorded.
    /// - Throws: `StoreIdentityError.identityEdited` when the recorded folder's tag fails.
    static func witnessFolder(_ db: DatabasePool, key: IntegrityKey, storeID: String, proposed: URL) throws -> URL {
        func tag(_ folder: String) -> Data { key.tag(table: "store_identity", row: storeID, fields: [folder]) }
        let row = try db.read { try Row.fetchOne($0, sql: "SELECT witness_folder, integrity FROM store_identity WHERE id = ?",
                                                 arguments: [storeID]) }
        if let folder = row?["witness_folder"] as String? {
            guard key.holds(row?["integrity"], table: "store_identity", row: storeID, fields: [folder]) else {
                throw StoreIdentityError.identityEdited(storeID: storeID)
            }
            return URL(fileURLWithPath: folder, isDirectory: true)
        }
        try db.write { db in
            try db.execute(sql: "UPDATE store_identity SET witness_folder = ?, integrity = ? WHERE id = ?",
                           arguments: [proposed.path, tag(proposed.path), storeID])
        }
        return proposed
    }

    /// Records the identity in a key file that lacks it. A read-only key file (a secrets mount)
    /// is left as it is: the store then relies on its witness alone.
    private static func adopt(_ id: String, keyring: Keyring, keyFile: URL) {
        var updated = keyring
        updated.storeID = id
        try? KeyringFile.write(updated, to: keyFile)
    }
}

/// The store is not the one its key file belongs to; nothing was opened or written.
public enum StoreIdentityError: Error, Equatable, CustomStringConvertible {
    case emptyFile(path: String)
    case historyGone(path: String, storeID: String, keySource: String)
    case replaced(path: String, found: String, expected: String, keySource: String)
    case identityEdited(storeID: String)

    public var description: String {
        switch self {
        case .emptyFile(let path):
            return "\(path) is empty (0 bytes): the store's history is gone. Restore it from a backup; it was not recreated"
        case .historyGone(let path, let id, let source):
            return "\(path) holds no record of store \(id), which \(source) belongs to: the store's history is gone "
                + "(emptied, deleted or replaced). Restore it from a backup; a new store was not created"
        case .replaced(let path, let found, let expected, let source):
            return "\(path) is store \(found), but \(source) belongs to store \(expected): the store was replaced"
        case .identityEdited(let id):
            return "the identity record of store \(id) was edited (its witness folder fails its integrity tag)"
        }
    }
}
