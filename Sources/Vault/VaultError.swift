/// Errors of key management and field encryption. None of them ever carries plaintext or key bytes.
package enum VaultError: Error, Equatable, CustomStringConvertible {
    /// No key file at the path and no key in the environment.
    case missingKeyring(path: String, environmentVariable: String)
    /// `keys init` would overwrite an existing key file.
    case keyringExists(path: String)
    /// The key file is not a keyring (truncated, edited, wrong format), or its permissions are too open.
    case invalidKeyring(source: String, detail: String)
    /// A data key is wrapped under a key-encryption-key version the keyring lacks.
    case missingKeyVersion(version: Int, source: String)
    /// The keyring cannot unwrap this store's data keys: a wrong key file for this store.
    case wrongKey(store: String, keyVersion: Int)
    /// A sealed value failed authentication: tampered, truncated, or moved from another row/column.
    case tampered(table: String, column: String, row: String)
    /// The sealed value's data key has been deleted (crypto-shredded).
    case shredded(table: String, column: String, row: String)
    /// A sealed value with an unknown format byte or layout.
    case malformedSealedValue(table: String, column: String, row: String, detail: String)
    /// The store's metadata is inconsistent (e.g. no active data key after initialisation).
    case corruptStore(detail: String)

    package var description: String {
        switch self {
        case .missingKeyring(let path, let variable):
            return "no key file at \(path) and \(variable) is not set: run `keys init` first"
        case .keyringExists(let path):
            return "\(path) already exists; refusing to overwrite a key file (move it away first if you really mean it)"
        case .invalidKeyring(let source, let detail):
            return "\(source): not a usable key file: \(detail)"
        case .missingKeyVersion(let version, let source):
            return "\(source) has no key version \(version), which this store needs"
        case .wrongKey(let store, let version):
            return "the keyring does not match store '\(store)': key version \(version) cannot unwrap its data keys"
        case .tampered(let table, let column, let row):
            return "sealed value \(table).\(column) of row \(row) failed authentication (tampered or moved)"
        case .shredded(let table, let column, let row):
            return "sealed value \(table).\(column) of row \(row) is unrecoverable: its key was deleted"
        case .malformedSealedValue(let table, let column, let row, let detail):
            return "sealed value \(table).\(column) of row \(row) is malformed: \(detail)"
        case .corruptStore(let detail):
            return "store key metadata is inconsistent: \(detail)"
        }
    }
}
