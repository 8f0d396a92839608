import AuditLog
public import Foundation
public import GRDB
import SuiteFoundation
import Vault

/// The model versions of a product, written once for both (docs/LIFECYCLE.md, "Registry"): each
/// version is a model folder copied read-only under `<home>/models/versions/<id>/`, where `id` is
/// its content address (`ModelVersionContent`); the store holds one row per version
/// (`model_versions`), the history of promotions and rollbacks (`model_promotions`) and the
/// active version (`model_active`, one integrity-tagged row). Every change is audited
/// (`model.manage`) in the transaction that makes it.
///
/// What makes a folder a model of the product is injected (`validate`): it loads the folder as
/// the product would and throws an error naming the file at fault.
public struct ModelRegistry: Sendable {
    /// Loads a folder as the product would; throws an error that names the file at fault.
    public typealias Validator = @Sendable (URL) throws -> Void

    public let secure: SecureStore
    let validate: Validator

    public init(secure: SecureStore, validate: @escaping Validator) {
        self.secure = secure
        self.validate = validate
    }

    /// A stored version, as `models list` and `show` print it.
    public struct Version: Sendable, Encodable, Equatable {
        public let id: String
        public let files: Int
        public let bytes: Int64
        /// The folder has a MODEL_CARD.md.
        public let card: Bool
        public let addedAt: String
        public let addedBy: String
        public let retiredAt: String?
        public var active: Bool

        public var short: String { ModelRegistry.short(id) }
        public var status: String { active ? "active" : retiredAt == nil ? "available" : "retired" }

        enum CodingKeys: String, CodingKey {
            case id, short, status, files, bytes, card, active
            case addedAt = "added_at", addedBy = "added_by", retiredAt = "retired_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(short, forKey: .short)
            try c.encode(status, forKey: .status)
            try c.encode(active, forKey: .active)
            try c.encode(files, forKey: .files)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(card, forKey: .card)
            try c.encode(addedAt, forKey: .addedAt)
            try c.encode(addedBy, forKey: .addedBy)
            try c.encode(retiredAt, forKey: .retiredAt)
        }
    }

    /// One change of the active version.
    public struct Change: Sendable, Codable, Equatable {
        public enum Operation: String, Sendable, Codable { case promote, rollback }
        public let seq: Int64
        public let op: Operation
        public let from: String?
        public let to: String
        public let at: String
        public let actor: String
    }

    /// How a version is shown: its first 12 hex digits.
    public static func short(_ id: String) -> String { String(id.prefix(12)) }

    public static let cardFile = "MODEL_CARD.md"
    static let activeTable = "model_active"

    /// `<home>/models`: the versions and the staging folder of `add`.
    public var folder: URL { secure.location.home.appendingPathComponent("models", isDirectory: true) }
    var versionsFolder: URL { folder.appendingPathComponent("versions", isDirectory: true) }
    var stagingFolder: URL { folder.appendingPathComponent("staging", isDirectory: true) }

    /// Where the files of version `id` are.
    public func folder(of id: String) -> URL { versionsFolder.appendingPathComponent(id, isDirectory: true) }

    /// Creates the registry's tables; each product registers it after its own migrations.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("model registry v1") { db in
            try db.create(table: "model_versions") { t in
                t.primaryKey("id", .text).check(sql: "length(id) = 64")
                t.column("files", .integer).notNull()
                t.column("bytes", .integer).notNull()
                t.column("card", .boolean).notNull()
                t.column("added_at", .text).notNull()
                t.column("added_by", .text).notNull()
                t.column("retired_at", .text)
            }
            try db.create(table: "model_promotions") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("op", .text).notNull().check(sql: "op IN ('promote', 'rollback')")
                t.column("from_id", .text).references("model_versions")
                t.column("to_id", .text).notNull().references("model_versions")
                t.column("at", .text).notNull()
                t.column("actor", .text).notNull()
            }
            try db.create(table: activeTable) { t in
                t.primaryKey("slot", .text).check(sql: "slot = 'active'")
                t.column("version_id", .text).notNull().references("model_versions")
                t.column("promotion_seq", .integer).notNull().references("model_promotions")
                t.column("integrity", .blob).notNull()
            }
        }
    }

    // MARK: Reading

    /// Every version, oldest first, the active one marked.
    public func versions() throws -> [Version] {
        try secure.database.read { db in
            let active = try activeID(db)
            return try Row.fetchAll(db, sql: "SELECT * FROM model_versions ORDER BY added_at, id").map { Self.version($0, active: active) }
        }
    }

    /// The version whose id starts with `prefix` (case-insensitive hex).
    public func version(_ prefix: String) throws -> Version {
        try secure.database.read { db in try resolve(prefix, db) }
    }

    /// The active version, or nil when none was promoted.
    /// - Throws: `ModelRegistryError.integrityFailed` when the active row was changed outside the registry.
    public func active() throws -> Version? {
        try secure.database.read { db in
            guard let id = try activeID(db) else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM model_versions WHERE id = ?", arguments: [id]).map { Self.version($0, active: id) }
        }
    }

    /// The active version's id and folder, for the commands that load the product's model.
    /// - Throws: `ModelRegistryError.missingFiles` when its folder is gone.
    public func activeFolder() throws -> (id: String, folder: URL)? {
        guard let version = try active() else { return nil }
        let folder = folder(of: version.id)
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw ModelRegistryError.missingFiles(version: version.id, path: folder.path)
        }
        return (version.id, folder)
    }

    /// The promotions and rollbacks, oldest first.
    public func history() throws -> [Change] {
        try secure.database.read { db in try Self.changes(db) }
    }

    /// Whether the stored files of `id` still hash to `id`.
    public func isIntact(_ id: String) -> Bool { (try? ModelVersionContent(folder: folder(of: id)).id) == id }

    /// Refuses to make active a version whose stored files are gone or changed.
    func checkIntact(_ id: String) throws {
        guard isIntact(id) else { throw ModelRegistryError.missingFiles(version: id, path: folder(of: id).path) }
    }

    func resolve(_ prefix: String, _ db: Database) throws -> Version {
        let lowered = prefix.lowercased()
        guard !lowered.isEmpty, lowered.count <= 64, lowered.allSatisfy(\.isHexDigit) else {
            throw ModelRegistryError.invalidPrefix(prefix)
        }
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM model_versions WHERE substr(id, 1, ?) = ? ORDER BY id",
                                    arguments: [lowered.count, lowered])
        guard let row = rows.first else { throw ModelRegistryError.unknownVersion(prefix: prefix) }
        guard rows.count == 1 else { throw ModelRegistryError.ambiguous(prefix: prefix, matches: rows.map { $0["id"] }) }
        return Self.version(row, active: try activeID(db))
    }

    /// The active version's id, its row's integrity tag checked.
    func activeID(_ db: Database) throws -> String? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM \(Self.activeTable)") else { return nil }
        let id: String = row["version_id"], seq: Int64 = row["promotion_seq"]
        guard secure.integrityKey.holds(row["integrity"], table: Self.activeTable, row: "active", fields: [id, String(seq)]) else {
            throw ModelRegistryError.integrityFailed(table: Self.activeTable)
        }
        return id
    }

    static func version(_ row: Row, active: String?) -> Version {
        let id: String = row["id"]
        return Version(id: id, files: row["files"], bytes: row["bytes"], card: row["card"], addedAt: row["added_at"],
                       addedBy: row["added_by"], retiredAt: row["retired_at"], active: id == active)
    }

    static func changes(_ db: Database) throws -> [Change] {
        try Row.fetchAll(db, sql: "SELECT * FROM model_promotions ORDER BY seq").map { row in
            Change(seq: row["seq"], op: Change.Operation(rawValue: row["op"]) ?? .promote, from: row["from_id"], to: row["to_id"],
                   at: row["at"], actor: row["actor"])
        }
    }

    // MARK: Changing the active version

    /// Makes version `prefix` the active one.
    public func promote(_ prefix: String, actor: String) throws -> Change {
        try secure.audit.transaction { db -> (Change, [AuditEvent]) in
            let version = try resolve(prefix, db)
            if version.retiredAt != nil { throw ModelRegistryError.retired(version: version.id) }
            let from = try activeID(db)
            if from == version.id { throw ModelRegistryError.alreadyActive(version: version.id) }
            try checkIntact(version.id)
            return try activate(version.id, from: from, op: .promote, actor: actor, db)
        }
    }

    /// Returns to the version that was active before the current one: the promotions form a
    /// stack (a promotion pushes, a rollback pops), so rolling back twice goes two versions back.
    public func rollback(actor: String) throws -> Change {
        try secure.audit.transaction { db -> (Change, [AuditEvent]) in
            guard let from = try activeID(db) else { throw ModelRegistryError.noActiveVersion }
            var stack: [String] = []
            for change in try Self.changes(db) {
                if change.op == .promote { stack.append(change.to) } else { _ = stack.popLast() }
            }
            guard stack.count >= 2 else { throw ModelRegistryError.nothingToRollBackTo(active: from) }
            let target = stack[stack.count - 2]
            if try String.fetchOne(db, sql: "SELECT retired_at FROM model_versions WHERE id = ?", arguments: [target]) != nil {
                throw ModelRegistryError.retired(version: target)
            }
            try checkIntact(target)
            return try activate(target, from: from, op: .rollback, actor: actor, db)
        }
    }

    /// Retires version `prefix`: it stays listed (and its files stay, for the decisions that name
    /// it) but can no longer be promoted or rolled back to. The active version cannot be retired.
    public func retire(_ prefix: String, actor: String) throws -> Version {
        try secure.audit.transaction { db -> (Version, [AuditEvent]) in
            let version = try resolve(prefix, db)
            if version.active { throw ModelRegistryError.activeCannotRetire(version: version.id) }
            if version.retiredAt != nil { throw ModelRegistryError.retired(version: version.id) }
            try db.execute(sql: "UPDATE model_versions SET retired_at = ? WHERE id = ?", arguments: [Timestamp.now(), version.id])
            let event = Self.event(actor: actor, op: "retire", version: version.id, from: try activeID(db), to: try activeID(db))
            return (try resolve(version.id, db), [event])
        }
    }

    private func activate(_ id: String, from: String?, op: Change.Operation, actor: String,
                          _ db: Database) throws -> (Change, [AuditEvent]) {
        let at = Timestamp.now()
        try db.execute(sql: "INSERT INTO model_promotions (op, from_id, to_id, at, actor) VALUES (?, ?, ?, ?, ?)",
                       arguments: [op.rawValue, from, id, at, actor])
        let seq = db.lastInsertedRowID
        let tag = secure.integrityKey.tag(table: Self.activeTable, row: "active", fields: [id, String(seq)])
        try db.execute(sql: """
            INSERT INTO \(Self.activeTable) (slot, version_id, promotion_seq, integrity) VALUES ('active', ?, ?, ?)
            ON CONFLICT (slot) DO UPDATE SET version_id = excluded.version_id, promotion_seq = excluded.promotion_seq,
                integrity = excluded.integrity
            """, arguments: [id, seq, tag])
        return (Change(seq: seq, op: op, from: from, to: id, at: at, actor: actor),
                [Self.event(actor: actor, op: op.rawValue, version: id, from: from, to: id)])
    }

    /// The audit entry of a change: the version acted on, and the active version before and after.
    static func event(actor: String, op: String, version: String, from: String?, to: String?,
                      extra: [String: AuditValue] = [:]) -> AuditEvent {
        AuditEvent(actor: actor, action: .modelManagement, objectType: "model_version", objectID: version,
                   details: extra.merging(["op": .string(op), "from": .string(from ?? "none"), "to": .string(to ?? "none")]) { $1 })
    }
}
