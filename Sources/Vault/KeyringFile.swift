import Crypto
public import Foundation
import SuiteFoundation

/// The on-disk key file: `{"format": "suite-keyring/1", "store": "<store id>", "keys": [{"version",
/// "created", "key"}]}`, written with mode 0600 through a temporary file and an atomic rename.
/// `store` names the one store the file belongs to, so a store that was emptied or replaced is
/// recognised (older files lack it until a store adopts them).
public enum KeyringFile {
    static let format = "suite-keyring/1"

    private struct Contents: Codable {
        struct Entry: Codable {
            let version: Int
            let created: String
            let key: String
        }
        let format: String
        let store: String?
        let keys: [Entry]
    }

    /// Creates a key file with one fresh key for the store `storeID` (a new store's identity, or
    /// nil when the store is not known yet); refuses to overwrite an existing file.
    @discardableResult
    public static func create(at url: URL, storeID: String? = nil) throws -> Keyring {
        if FileManager.default.fileExists(atPath: url.path) { throw VaultError.keyringExists(path: url.path) }
        let keyring = Keyring.generate(source: url.path, storeID: storeID)
        try write(keyring, to: url, createOnly: true)
        return keyring
    }

    /// Reads and validates a key file (format, 32-byte keys, unique versions, not readable by others).
    public static func read(_ url: URL) throws -> Keyring {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw VaultError.invalidKeyring(source: path, detail: String(cString: strerror(errno)))
        }
        guard info.st_mode & 0o077 == 0 else {
            throw VaultError.invalidKeyring(
                source: path, detail: String(format: "mode %o lets others read it; chmod 600 it", info.st_mode & 0o777))
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: Data(contentsOf: url))
        } catch {
            throw VaultError.invalidKeyring(source: path, detail: "not a key file (truncated or edited?)")
        }
        guard contents.format == format else {
            throw VaultError.invalidKeyring(source: path, detail: "unknown format '\(contents.format)'")
        }
        var keys: [Int: SymmetricKey] = [:], created: [Int: String] = [:]
        for entry in contents.keys {
            guard entry.version > 0, keys[entry.version] == nil,
                  let bytes = Data(base64Encoded: entry.key), bytes.count == 32
            else {
                throw VaultError.invalidKeyring(source: path, detail: "key version \(entry.version) is damaged or repeated")
            }
            keys[entry.version] = SymmetricKey(data: bytes)
            created[entry.version] = entry.created
        }
        guard !keys.isEmpty else { throw VaultError.invalidKeyring(source: path, detail: "no keys") }
        return Keyring(keys: keys, source: path, created: created, storeID: contents.store)
    }

    /// Replaces the file with `keyring` atomically (temporary file, fsync, rename), mode 0600.
    public static func write(_ keyring: Keyring, to url: URL, createOnly: Bool = false) throws {
        let entries = keyring.versions.map { version in
            Contents.Entry(version: version, created: keyring.created[version] ?? Timestamp.now(),
                           key: keyring.keys[version]!.withUnsafeBytes { Data($0).base64EncodedString() })
        }
        let data = try JSONOutput.data(Contents(format: format, store: keyring.storeID, keys: entries), pretty: true)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw VaultError.invalidKeyring(source: temporary.path, detail: "cannot create: \(String(cString: strerror(errno)))")
        }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0 else {
            unlink(temporary.path)
            throw VaultError.invalidKeyring(source: temporary.path, detail: "write failed")
        }
        if createOnly {
            // link() fails if the target exists: no race with a concurrent `keys init`.
            defer { unlink(temporary.path) }
            guard link(temporary.path, url.path) == 0 else { throw VaultError.keyringExists(path: url.path) }
        } else {
            guard rename(temporary.path, url.path) == 0 else {
                unlink(temporary.path)
                throw VaultError.invalidKeyring(source: url.path, detail: "cannot replace: \(String(cString: strerror(errno)))")
            }
        }
    }
}
