public import Foundation
public import GRDB

/// A value of an entry's details: scalars only, so free text is a deliberate choice of the caller.
public enum AuditValue: Sendable, Equatable, Codable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        }
    }
}

/// What a caller records: who did what to which object, and how it ended.
public struct AuditEvent: Sendable, Equatable {
    public var actor: String
    public var action: AuditAction
    public var objectType: String
    /// A non-identifying id (a row id, a content hash) — never a name or free text.
    public var objectID: String
    public var outcome: AuditOutcome
    public var details: [String: AuditValue]

    public init(actor: String, action: AuditAction, objectType: String, objectID: String,
                outcome: AuditOutcome = .success, details: [String: AuditValue] = [:]) {
        self.actor = actor
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.outcome = outcome
        self.details = details
    }
}

/// One stored entry of the chain (table `audit_log`).
public struct AuditEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "audit_log"

    package var seq: Int64
    /// UTC, ISO 8601 with milliseconds.
    package var time: String
    public var actor: String
    public var action: String
    public var objectType: String
    public var objectID: String
    public var outcome: String
    /// Canonical JSON (sorted keys) of the details.
    public var details: String
    var prevHash: Data
    package var hash: Data

    enum CodingKeys: String, CodingKey {
        case seq, time, actor, action, outcome, details, hash
        case objectType = "object_type", objectID = "object_id", prevHash = "prev_hash"
    }

    /// The bytes the HMAC covers after the previous hash: every field, length-prefixed.
    var canonicalBytes: Data {
        var out = Data("suite-audit/1".utf8)
        for field in [String(seq), time, actor, action, objectType, objectID, outcome, details] {
            let bytes = Data(field.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { out.append(contentsOf: $0) }
            out.append(bytes)
        }
        return out
    }

    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("audit v1") { db in
            try db.create(table: databaseTableName) { t in
                t.primaryKey("seq", .integer).check(sql: "seq > 0")
                t.column("time", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("object_type", .text).notNull()
                t.column("object_id", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("details", .text).notNull()
                t.column("prev_hash", .blob).notNull()
                t.column("hash", .blob).notNull()
            }
            try db.create(index: "audit_log_time", on: databaseTableName, columns: ["time"])
            try db.create(index: "audit_log_action", on: databaseTableName, columns: ["action"])
            try db.execute(sql: """
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
    }
}
