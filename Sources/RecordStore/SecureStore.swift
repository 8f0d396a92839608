public import AuditLog
public import Foundation
public import GRDB
public import Vault

/// A product's store opened with its keys: the SQLite database (WAL, migrations in code), its
/// vault and its audit log. The product's own tables come in through `migrations`.
public final class SecureStore: Sendable {
    /// What the opening command is allowed to find.
    public enum Access: Sendable {
        /// Ordinary commands: the audit chain's head must match its checkpoint and witness
        /// (`AuditLog.checkHead`), so nothing is ever appended to a broken chain.
        case ordinary
        /// `keys init`: may create the store that the key file's identity names.
        case create
        /// `audit verify`, `audit show`, `keys status`: open a broken store to report on it.
        case inspect
    }

    public let location: StoreLocation
    /// The store's identity (also in its key file and in every checkpoint and witness line).
    public let identity: String
    public let database: DatabasePool
    public let vault: Vault
    /// The key of the integrity tags (`IntegrityKey`), taken once at open: usable inside any
    /// database access, where the vault could not read its keys.
    public let integrityKey: IntegrityKey
    public let audit: AuditLog
    public let keyring: Keyring

    /// Opens (creating when needed) the store of `product`.
    ///
    /// - Parameters:
    ///   - keysVariable: the environment variable that may hold the keyring instead of the key file.
    ///   - migrations: registers the product's tables after the vault's and the audit log's.
    ///   - access: `.ordinary` refuses a store whose audit chain is broken (`AuditError.chainBroken`).
    /// - Throws: `VaultError.missingKeyring` before creating anything when there is no key;
    ///   `StoreIdentityError` when the store is empty, gone or not the key file's;
    ///   `AuditError.invalidWitness` for a bad `$<PRODUCT>_WITNESS`.
    public init(product: String, location: StoreLocation, keysVariable: String,
                environment: [String: String] = ProcessInfo.processInfo.environment, access: Access = .ordinary,
                migrations: (inout DatabaseMigrator) -> Void) throws {
        self.location = location
        let fromEnvironment = environment[keysVariable].map { !$0.isEmpty } ?? false
        keyring = try Self.loadKeyring(location: location, keysVariable: keysVariable, environment: environment)
        let witnesses = try Self.witnessTargets(product: product, environment: environment)
        try StoreIdentity.checkFile(location, keyring: keyring, creating: access == .create)
        try FileManager.default.createDirectory(at: location.home, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        database = try Self.openDatabase(at: location.database)
        var migrator = DatabaseMigrator()
        StoreIdentity.registerMigrations(&migrator)
        Vault.registerMigrations(&migrator)
        AuditLog.registerMigrations(&migrator)
        migrations(&migrator)
        try migrator.migrate(database)
        identity = try StoreIdentity.reconcile(database, keyring: keyring, location: location, product: product,
                                               fromEnvironment: fromEnvironment, creating: access == .create)
        vault = try Vault(store: product, writer: database, keyring: keyring)
        integrityKey = try vault.integrityKey()
        let witnessFolder = try StoreIdentity.witnessFolder(database, key: integrityKey, storeID: identity,
                                                            proposed: location.witnessFolder)
        let defaultWitness = witnessFolder.appendingPathComponent("\(product)-\(identity).witness")
        audit = AuditLog(writer: database, key: try vault.auditKey(), checkpointFile: location.checkpointFile,
                         product: product, storeID: identity, witnesses: [.file(defaultWitness)] + witnesses)
        if access == .ordinary { try audit.checkHead() }
    }

    /// The witnesses configured in `$<PRODUCT>_WITNESS` (comma-separated `WitnessTarget` specs).
    static func witnessTargets(product: String, environment: [String: String]) throws -> [WitnessTarget] {
        guard let value = environment["\(product.uppercased())_WITNESS"], !value.isEmpty else { return [] }
        return try value.split(separator: ",").map { try WitnessTarget(parsing: String($0)) }
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

    /// A WAL database pool that waits for other writers instead of failing, with foreign keys on,
    /// `synchronous = FULL` (a committed audit batch survives a power cut) and `secure_delete`.
    public static func openDatabase(at url: URL) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Deleted or overwritten values (a sealed value replaced by re-encryption, a cleared
            // legacy column) are zeroed instead of lingering in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let pool = try DatabasePool(path: url.path, configuration: configuration)
        chmod(url.path, 0o600)
        return pool
    }
}
