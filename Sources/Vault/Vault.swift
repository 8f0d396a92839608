public import Crypto
public import Foundation
public import GRDB
import SuiteFoundation
import Synchronization

/// Envelope encryption for one store: data keys (DEKs) live wrapped in the store's own
/// `vault_keys` table; the keyring's key-encryption keys (KEKs) unwrap them.
///
/// Fields are sealed with AES-256-GCM bound to their `SealContext`; lookups by an identifier
/// go through `lookupHash`, a keyed HMAC, so identifying columns never need an index.
/// One `Vault` per process and store; it is thread-safe.
public final class Vault: Sendable {
    /// The store's name; part of every associated data, so values cannot move between stores.
    public let store: String
    let writer: any DatabaseWriter
    let keyring: Keyring

    /// Unwrapped data keys by id.
    private let cache = Mutex<[Int64: SymmetricKey]>([:])
    /// The active key id per purpose, re-read from the database after `activeKeyLifetime`
    /// so a rotation by another process is picked up within that time.
    private let active = Mutex<[DataKeyRecord.Purpose: (id: Int64, fetched: UInt64)]>([:])
    static let activeKeyLifetime: UInt64 = 1_000_000_000  // ns
    /// Per-value keys derived from (data key, session salt): values sealed in one session share
    /// a salt, so opening them derives the key once. Cleared when it grows past 4096 entries.
    private let derived = Mutex<[Data: SymmetricKey]>([:])
    /// The current sealing session (active fields key, session salt, derived key, nonce counter).
    private let session = Mutex<SealingSession?>(nil)

    struct SealingSession {
        let dataKeyID: Int64
        let salt: [UInt8]
        let key: SymmetricKey
        var counter: UInt64
    }

    /// Adds the vault's tables to a store's migrations.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        DataKeyRecord.registerMigrations(&migrator)
    }

    /// Opens the vault of a migrated store, creating its first data keys when there are none,
    /// and checks at once that the keyring can unwrap them (a wrong key file fails here).
    public init(store: String, writer: any DatabaseWriter, keyring: Keyring) throws {
        self.store = store
        self.writer = writer
        self.keyring = keyring
        try writer.write { db in
            for purpose in [DataKeyRecord.Purpose.fields, .audit, .lookup] {
                let exists = try DataKeyRecord.filter(Column("purpose") == purpose.rawValue)
                    .filter(Column("state") == DataKeyRecord.State.active.rawValue).fetchCount(db) > 0
                if !exists { _ = try self.insertKey(purpose: purpose, db) }
            }
        }
        _ = try activeKey(.fields)
        _ = try activeKey(.lookup)
    }

    // MARK: Sealing

    /// Seals `plaintext` for the given place with the active fields key.
    public func seal(_ plaintext: Data, _ context: SealContext) throws -> Data {
        let (id, salt, key, nonce) = try nextNonce()
        return try seal(plaintext, context, dataKeyID: id, salt: salt, key: key, nonce: nonce)
    }

    public func seal(_ text: String, _ context: SealContext) throws -> Data {
        try seal(Data(text.utf8), context)
    }

    /// Opens a sealed value; throws `tampered` when it was altered or belongs elsewhere.
    public func open(_ sealed: Data, _ context: SealContext) throws -> Data {
        let value: SealedValue
        switch SealedValue.decode(sealed) {
        case .success(let v): value = v
        case .failure(let error):
            throw VaultError.malformedSealedValue(table: context.table, column: context.column, row: context.row,
                                                  detail: error.detail)
        }
        let derived = try derivedKey(id: value.dataKeyID, salt: value.salt, context: context)
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: value.nonce), ciphertext: value.ciphertext, tag: value.tag)
            return try AES.GCM.open(box, using: derived, authenticating: context.associatedData(store: store))
        } catch {
            throw VaultError.tampered(table: context.table, column: context.column, row: context.row)
        }
    }

    private func derivedKey(id: Int64, salt: [UInt8], context: SealContext) throws -> SymmetricKey {
        var cacheKey = Data(count: 8)
        cacheKey.withUnsafeMutableBytes { $0.storeBytes(of: id.bigEndian, as: Int64.self) }
        cacheKey.append(contentsOf: salt)
        if let known = derived.withLock({ $0[cacheKey] }) { return known }
        let dataKey = try key(id: id, context: context)
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: dataKey, salt: salt, info: Array("suite-seal/1".utf8), outputByteCount: 32)
        guard cache.withLock({ $0[id] != nil }) else { return key }  // a per-record key: not cached either
        derived.withLock { cache in
            if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
            cache[cacheKey] = key
        }
        return key
    }

    public func openString(_ sealed: Data, _ context: SealContext) throws -> String {
        String(decoding: try open(sealed, context), as: UTF8.self)
    }

    func seal(_ plaintext: Data, _ context: SealContext, dataKeyID: Int64, salt: [UInt8], key: SymmetricKey,
              nonce: [UInt8]) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: nonce),
                                   authenticating: context.associatedData(store: store))
        return SealedValue(dataKeyID: dataKeyID, salt: salt, nonce: nonce,
                           ciphertext: [UInt8](box.ciphertext), tag: [UInt8](box.tag)).encoded()
    }

    /// The next nonce of the sealing session: a 96-bit big-endian counter under a key derived
    /// for this session only, so a nonce can never repeat under one key.
    func nextNonce() throws -> (Int64, [UInt8], SymmetricKey, [UInt8]) {
        let (id, dataKey) = try activeKey(.fields)
        return session.withLock { current in
            if current == nil || current!.dataKeyID != id {
                let salt = randomBytes(16)
                let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: dataKey, salt: salt,
                                                     info: Array("suite-seal/1".utf8), outputByteCount: 32)
                current = SealingSession(dataKeyID: id, salt: salt, key: derived, counter: 0)
            }
            current!.counter += 1
            var nonce = [UInt8](repeating: 0, count: 4)
            withUnsafeBytes(of: current!.counter.bigEndian) { nonce += $0 }
            return (id, current!.salt, current!.key, nonce)
        }
    }

    /// Forgets the sealing session (after the active fields key changed).
    func resetSession() { session.withLock { $0 = nil } }

    // MARK: Lookups and the audit key

    /// A keyed hash of an identifier for equality lookups (`purpose` separates uses, e.g.
    /// "patient_id"); stable across key rotation.
    public func lookupHash(_ value: String, purpose: String) throws -> Data {
        let (_, key) = try activeKey(.lookup)
        var message = Data(purpose.utf8)
        message.append(0)
        message.append(Data(value.utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// The key of the store's audit chain.
    package func auditKey() throws -> SymmetricKey { try activeKey(.audit).1 }

    // MARK: Per-record keys (crypto-shredding)

    /// Creates a key for one record's most sensitive payload; returns its id.
    public func createRecordKey() throws -> Int64 {
        try writer.write { db in try self.insertKey(purpose: .record, db).0 }
    }

    /// Seals with a per-record key (a fresh salt-derived key per value; the key id is kept in the blob).
    public func seal(_ plaintext: Data, _ context: SealContext, recordKey id: Int64) throws -> Data {
        let dataKey = try key(id: id, context: context)
        let salt = randomBytes(16)
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: dataKey, salt: salt,
                                             info: Array("suite-seal/1".utf8), outputByteCount: 32)
        return try seal(plaintext, context, dataKeyID: id, salt: salt, key: derived, nonce: [UInt8](repeating: 0, count: 12))
    }

    /// Deletes a per-record key: everything sealed with it becomes unrecoverable.
    public func shred(recordKey id: Int64) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE vault_keys SET state = 'shredded', wrapped = NULL WHERE id = ? AND purpose = 'record'",
                           arguments: [id])
        }
        _ = cache.withLock { $0.removeValue(forKey: id) }
        derived.withLock { $0.removeAll() }
    }

    // MARK: Keys

    func insertKey(purpose: DataKeyRecord.Purpose, _ db: Database) throws -> (Int64, SymmetricKey) {
        let dataKey = SymmetricKey(size: .bits256)
        var record = DataKeyRecord(id: nil, purpose: purpose, state: .active, kekVersion: keyring.activeVersion,
                                   wrapped: Data(count: KeyWrapping.saltCount + 48), createdAt: Timestamp.now())
        try record.insert(db)
        let id = record.id!
        record.wrapped = try KeyWrapping.wrap(dataKey, kek: keyring.key(version: keyring.activeVersion),
                                              store: store, id: id, purpose: purpose)
        try record.update(db)
        if purpose != .record { cache.withLock { $0[id] = dataKey } }
        return (id, dataKey)
    }

    func activeKey(_ purpose: DataKeyRecord.Purpose) throws -> (Int64, SymmetricKey) {
        let now = DispatchTime.now().uptimeNanoseconds
        if let known = active.withLock({ $0[purpose] }), now - known.fetched < Self.activeKeyLifetime,
           let key = cache.withLock({ $0[known.id] }) {
            return (known.id, key)
        }
        let record = try writer.read { db in
            try DataKeyRecord.filter(Column("purpose") == purpose.rawValue)
                .filter(Column("state") == DataKeyRecord.State.active.rawValue)
                .order(Column("id").desc).fetchOne(db)
        }
        guard let record, let id = record.id else {
            throw VaultError.corruptStore(detail: "no active \(purpose.rawValue) key")
        }
        let key = try unwrap(record)
        active.withLock { $0[purpose] = (id, now) }
        return (id, key)
    }

    /// Forgets which keys are active (after this process changed them).
    func forgetActiveKeys() { active.withLock { $0.removeAll() } }

    private func key(id: Int64, context: SealContext) throws -> SymmetricKey {
        if let cached = cache.withLock({ $0[id] }) { return cached }
        guard let record = try writer.read({ db in try DataKeyRecord.fetchOne(db, key: id) }) else {
            throw VaultError.malformedSealedValue(table: context.table, column: context.column, row: context.row,
                                                  detail: "refers to unknown key \(id)")
        }
        if record.state == .shredded || record.state == .retired {
            throw VaultError.shredded(table: context.table, column: context.column, row: context.row)
        }
        return try unwrap(record)
    }

    func unwrap(_ record: DataKeyRecord) throws -> SymmetricKey {
        let id = record.id!
        if let cached = cache.withLock({ $0[id] }) { return cached }
        guard let wrapped = record.wrapped else { throw VaultError.corruptStore(detail: "key \(id) has no wrapped bytes") }
        let kek = try keyring.key(version: record.kekVersion)
        guard let key = KeyWrapping.unwrap(wrapped, kek: kek, store: store, id: id, purpose: record.purpose) else {
            throw VaultError.wrongKey(store: store, keyVersion: record.kekVersion)
        }
        // Per-record keys are never cached: shredding one must take effect in every process at once.
        if record.purpose != .record { cache.withLock { $0[id] = key } }
        return key
    }
}
