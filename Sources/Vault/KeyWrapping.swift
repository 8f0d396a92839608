import Crypto
import Foundation

/// Wraps data keys under a key-encryption key: each wrap derives a one-time AES-256-GCM key
/// from the KEK with a fresh random salt (HKDF-SHA256), so no (key, nonce) pair is ever used
/// twice, and binds the store, key id and purpose as associated data.
enum KeyWrapping {
    static let saltCount = 16

    static func wrap(_ dataKey: SymmetricKey, kek: SymmetricKey, store: String, id: Int64,
                     purpose: DataKeyRecord.Purpose) throws -> Data {
        let salt = randomBytes(saltCount)
        let box = try AES.GCM.seal(dataKey.withUnsafeBytes { Data($0) }, using: oneTimeKey(kek, salt: salt),
                                   nonce: AES.GCM.Nonce(data: Data(count: 12)),
                                   authenticating: associatedData(store: store, id: id, purpose: purpose))
        return Data(salt) + box.ciphertext + box.tag
    }

    /// The data key, or nil when the KEK is wrong or the wrapped bytes were altered.
    static func unwrap(_ wrapped: Data, kek: SymmetricKey, store: String, id: Int64,
                       purpose: DataKeyRecord.Purpose) -> SymmetricKey? {
        guard wrapped.count == saltCount + 32 + 16 else { return nil }
        let bytes = [UInt8](wrapped)
        guard let box = try? AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: Data(count: 12)),
                                               ciphertext: bytes[saltCount..<(saltCount + 32)],
                                               tag: bytes[(saltCount + 32)...]),
              let key = try? AES.GCM.open(box, using: oneTimeKey(kek, salt: Array(bytes[0..<saltCount])),
                                          authenticating: associatedData(store: store, id: id, purpose: purpose))
        else { return nil }
        return SymmetricKey(data: key)
    }

    private static func oneTimeKey(_ kek: SymmetricKey, salt: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: kek, salt: salt, info: Array("suite-wrap/1".utf8), outputByteCount: 32)
    }

    private static func associatedData(store: String, id: Int64, purpose: DataKeyRecord.Purpose) -> Data {
        Data("suite-wrap/1|\(store)|\(id)|\(purpose.rawValue)".utf8)
    }
}

/// Cryptographically secure random bytes (swift-crypto's generator via a throwaway key).
func randomBytes(_ count: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(count)
    while out.count < count {
        SymmetricKey(size: .bits256).withUnsafeBytes { out += $0.prefix(count - out.count) }
    }
    return out
}
