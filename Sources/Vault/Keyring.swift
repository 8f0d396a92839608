import Crypto
import Foundation
import SuiteFoundation

/// Versioned key-encryption keys (KEKs). The highest version is active: it wraps new data keys;
/// older versions stay to unwrap what they wrapped until rotation re-wraps it.
///
/// A keyring lives in a key file (JSON, mode 0600) made by `keys init`, or in an environment
/// variable for containers: `1:<base64 32 bytes>,2:<base64 32 bytes>`.
public struct Keyring: Sendable {
    /// KEK bytes by version (32 bytes each).
    let keys: [Int: SymmetricKey]
    /// Where the keyring came from, for messages (a path or the variable's name).
    public let source: String
    /// ISO 8601 creation time of each version, when known.
    package let created: [Int: String]
    /// The identity of the store this key file belongs to (recorded by `keys init`, or when a
    /// store opens with a key file that lacks it); nil for keys from the environment.
    public var storeID: String?

    package var activeVersion: Int { keys.keys.max()! }
    public var versions: [Int] { keys.keys.sorted() }

    init(keys: [Int: SymmetricKey], source: String, created: [Int: String] = [:], storeID: String? = nil) {
        precondition(!keys.isEmpty, "a keyring holds at least one key")
        self.keys = keys
        self.source = source
        self.created = created
        self.storeID = storeID
    }

    func key(version: Int) throws -> SymmetricKey {
        guard let key = keys[version] else { throw VaultError.missingKeyVersion(version: version, source: source) }
        return key
    }

    /// A keyring with one fresh random key, version 1, for a new store of identity `storeID`.
    static func generate(source: String, storeID: String?) -> Keyring {
        Keyring(keys: [1: SymmetricKey(size: .bits256)], source: source, created: [1: Timestamp.now()], storeID: storeID)
    }

    /// This keyring plus a fresh random key as the new active version.
    public func addingVersion() -> Keyring {
        var keys = self.keys, created = self.created
        keys[activeVersion + 1] = SymmetricKey(size: .bits256)
        created[activeVersion + 1] = Timestamp.now()
        return Keyring(keys: keys, source: source, created: created, storeID: storeID)
    }

    // MARK: Environment form

    /// Parses `version:base64[,version:base64...]`.
    package static func parse(environmentValue value: String, variable: String) throws -> Keyring {
        var keys: [Int: SymmetricKey] = [:]
        for part in value.split(separator: ",") {
            let fields = part.split(separator: ":", maxSplits: 1)
            guard fields.count == 2, let version = Int(fields[0]), version > 0,
                  let bytes = Data(base64Encoded: String(fields[1])), bytes.count == 32
            else {
                throw VaultError.invalidKeyring(source: variable, detail: "expected version:base64(32 bytes)[,...]")
            }
            guard keys[version] == nil else {
                throw VaultError.invalidKeyring(source: variable, detail: "version \(version) appears twice")
            }
            keys[version] = SymmetricKey(data: bytes)
        }
        guard !keys.isEmpty else { throw VaultError.invalidKeyring(source: variable, detail: "empty") }
        return Keyring(keys: keys, source: variable)
    }
}
