public import Foundation
public import GRDB
public import RecordStore
public import Vault

/// A product-like store in a temporary home, with one table of sealed columns
/// (`people(id, name_sealed, email_sealed, email_lookup, note)`), for Vault/AuditLog tests.
public struct TemporaryStore {
    public let home: URL
    public let location: StoreLocation
    public let store: SecureStore

    public init(home: URL, location: StoreLocation, store: SecureStore) {
        self.home = home
        self.location = location
        self.store = store
    }

    public static let sealedColumns = [
        SealedColumn(table: "people", column: "name_sealed", rowColumn: "id"),
        SealedColumn(table: "people", column: "email_sealed", rowColumn: "id"),
    ]

    public static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("people v1") { db in
            try db.create(table: "people") { t in
                t.primaryKey("id", .text)
                t.column("name_sealed", .blob).notNull()
                t.column("email_sealed", .blob)
                t.column("email_lookup", .blob)
                t.column("note", .text)
            }
            try db.create(index: "people_email_lookup", on: "people", columns: ["email_lookup"])
        }
    }

    /// Creates a home with a fresh key file and opens its store.
    public static func make() throws -> TemporaryStore {
        let home = try Fixtures.temporaryDirectory()
        let location = Fixtures.storeLocation(home: home)
        try KeyringFile.create(at: location.keyFile, storeID: StoreLocation.newStoreID())
        return TemporaryStore(home: home, location: location, store: try open(location, access: .create))
    }

    public static func open(_ location: StoreLocation, environment: [String: String] = [:],
                            access: SecureStore.Access = .ordinary) throws -> SecureStore {
        try SecureStore(product: "test", location: location, keysVariable: "TEST_KEYS", environment: environment,
                        access: access, migrations: migrations)
    }

    /// The default witness file of this store.
    public var witnessFile: URL {
        location.witnessFolder.appendingPathComponent("test-\(store.identity).witness")
    }

    public func context(_ id: String, _ column: String) -> SealContext {
        SealContext(table: "people", column: column, row: id)
    }

    /// Inserts a person with sealed name and e-mail.
    public func insert(id: String, name: String, email: String) throws {
        let vault = store.vault
        let name = try vault.seal(name, context(id, "name_sealed"))
        let email = (try vault.seal(email, context(id, "email_sealed")), try vault.lookupHash(email, purpose: "email"))
        try store.database.write { db in
            try db.execute(sql: "INSERT INTO people (id, name_sealed, email_sealed, email_lookup) VALUES (?, ?, ?, ?)",
                           arguments: [id, name, email.0, email.1])
        }
    }

    public func name(of id: String) throws -> String {
        let blob = try store.database.read { db in try Data.fetchOne(db, sql: "SELECT name_sealed FROM people WHERE id = ?", arguments: [id]) }
        return try store.vault.openString(blob!, context(id, "name_sealed"))
    }

    public func cleanUp() {
        try? FileManager.default.removeItem(at: home)
        try? FileManager.default.removeItem(at: witnessFile)
    }
}
