public import Crypto
public import Foundation

/// Integrity tags: a keyed MAC over the fields a decision rests on (a score, an urgency, an
/// answer's article), bound to store, table and row id, so an edit made with an SQL shell —
/// or a value moved to another row — is detected when the row is read.
///
/// The key is derived from the store's audit key (`HKDF-SHA256(audit key, "suite-integrity/1")`):
/// like the audit chain it outlives key rotation and re-encryption, and an attacker without the
/// key file cannot forge a tag.
public struct IntegrityKey: Sendable {
    let store: String
    let key: SymmetricKey

    /// The 32-byte tag of `fields` (in the caller's fixed order; nil is distinct from "").
    public func tag(table: String, row: String, fields: [String?]) -> Data {
        var message: [UInt8] = []
        func append(_ bytes: [UInt8]?) {
            guard let bytes else { message.append(0); return }
            message.append(1)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { message += $0 }
            message += bytes
        }
        for part in [store, table, row] { append(Array(part.utf8)) }
        for field in fields { append(field.map { Array($0.utf8) }) }
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// Whether `tag` is the tag of `fields` (compared in constant time); a missing tag is not.
    public func holds(_ tag: Data?, table: String, row: String, fields: [String?]) -> Bool {
        guard let tag else { return false }
        let expected = self.tag(table: table, row: row, fields: fields)
        guard tag.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(tag, expected) { difference |= a ^ b }
        return difference == 0
    }
}

extension Vault {
    /// The store's integrity key, derived from its audit key. `SecureStore` takes it once at
    /// open (`SecureStore.integrityKey`): the vault reads keys from the database, which must
    /// not happen inside a database access.
    public func integrityKey() throws -> IntegrityKey {
        IntegrityKey(store: store, key: HKDF<SHA256>.deriveKey(inputKeyMaterial: try auditKey(),
                                                               info: Array("suite-integrity/1".utf8), outputByteCount: 32))
    }
}
