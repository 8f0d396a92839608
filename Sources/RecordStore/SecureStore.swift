public import AuditLog
public import Foundation
public import GRDB
public import Vault

/// A product's store opened with its keys: the SQLite database (WAL, migrations in code), its
/// vault and its audit log. The product's own tables come in through `migrations`.
public final class SecureStore: Sendable {
    public let location: StoreLocation
    public let database: DatabasePool
    public let vault: Vault
    public let audit: AuditLog
    public let keyring: Keyring

    /// Opens (creating when needed) the store of `product`.
    ///
    /// - Parameters:
    ///   - keysVariable: the environment variable that may hold the keyring instead of the key file.
    ///   - migrations: registers the product's tables after the vault's and the audit log's.
    /// - Throws: `VaultError.missingKeyring` before creating anything when there is no key.
    public init(product: String, location: StoreLocation, keysVariable: String,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                migrations: (inout DatabaseMigrator) -> Void) throws {
        self.location = location
        keyring = try Self.loadKeyring(location: location, keysVariable: keysVariable, environment: environment)
        try FileManager.default.createDirectory(at: location.home, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        database = try Self.openDatabase(at: location.database)
        var migrator = DatabaseMigrator()
        Vault.registerMigrations(&migrator)
        AuditLog.registerMigrations(&migrator)
        migrations(&migrator)
        try migrator.migrate(database)
        vault = try Vault(store: product, writer: database, keyring: keyring)
        audit = AuditLog(writer: database, key: try vault.auditKey(), checkpointFile: location.checkpointFile)
    }

    /// The keyring from `$<keysVariable>` when set, else from the key file.
    static func loadKeyring(location: StoreLocation, keysVariable: String,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Keyring {
        if let value = environment[keysVariable], !value.isEmpty {
            return try Keyring.parse(environmentValue: value, variable: keysVariable)
        }
        guard FileManager.default.fileExists(atPath: location.keyFile.path) else {
            throw VaultError.missingKeyring(path: location.keyFile.path, environmentVariable: keysVariable)
        }
        return try KeyringFile.read(location.keyFile)
    }

    /// A WAL database pool that waits for other writers instead of failing, with foreign keys on
    /// and `synchronous = FULL`, so a committed audit batch survives a power cut.
    public static func openDatabase(at url: URL) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: url.path, configuration: configuration)
        chmod(url.path, 0o600)
        return pool
    }
}
