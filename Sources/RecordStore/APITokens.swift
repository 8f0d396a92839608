import AuditLog
import Crypto
public import Foundation
public import GRDB
import SuiteFoundation
import Vault

/// The bearer tokens of a product's HTTP service, in its store's `api_tokens` table (made by
/// `APITokens.createTable` in the product's migrations): a token's name and role, the secret only
/// as its SHA-256, each row integrity-tagged over (name, role, hash, created, revoked), and every
/// change audited (`auth`) in the transaction that makes it.
public struct APITokens<Role: RawRepresentable & Sendable>: Sendable where Role.RawValue == String {
    public let secure: SecureStore
    /// Starts every secret, so a leaked one can be recognised (`ast_`, `trg_`).
    let secretPrefix: String

    public init(secure: SecureStore, secretPrefix: String) {
        self.secure = secure
        self.secretPrefix = secretPrefix
    }

    public static var tableName: String { "api_tokens" }

    /// Creates the table, its role limited to `roles`.
    public static func createTable(_ db: Database, roles: [Role]) throws {
        let allowed = roles.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try db.create(table: tableName) { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull().unique()
            t.column("role", .text).notNull().check(sql: "role IN (\(allowed))")
            t.column("token_hash", .blob).notNull().unique()
            t.column("created_at", .text).notNull()
            t.column("revoked_at", .text)
            t.column("integrity", .blob)
        }
    }

    /// Creates a token; returns the secret, which is shown once and stored only as a hash.
    public func create(name: String, role: Role, actor: String) throws -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let secret = secretPrefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let id = RecordID.make(), hash = Self.hash(secret), created = Timestamp.now()
        let tag = tag(id: id, name: name, role: role.rawValue, hash: hash, created: created, revoked: nil)
        try secure.audit.transaction { db -> ((), [AuditEvent]) in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM api_tokens WHERE name = ?", arguments: [name]) ?? 0 > 0 {
                throw APITokenError.nameTaken(name)
            }
            try db.execute(sql: "INSERT INTO api_tokens (id, name, role, token_hash, created_at, integrity) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, name, role.rawValue, hash, created, tag])
            return ((), [AuditEvent(actor: actor, action: .authentication, objectType: "api_token", objectID: name,
                                    details: ["op": .string("create"), "role": .string(role.rawValue)])])
        }
        return secret
    }

    /// The name and role of a valid, unrevoked token. A row that fails its integrity check (a role
    /// raised, a hash planted with an SQL shell) is refused, and the refusal audited.
    public func authenticate(_ secret: String) throws -> (name: String, role: Role)? {
        let row = try secure.database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL", arguments: [Self.hash(secret)])
        }
        guard let row else { return nil }
        let id: String = row["id"], name: String = row["name"], roleName: String = row["role"]
        let intact = secure.integrityKey.holds(row["integrity"], table: Self.tableName, row: id,
                                               fields: Self.fields(name: name, role: roleName, hash: row["token_hash"],
                                                                   created: row["created_at"], revoked: row["revoked_at"]))
        guard intact, let role = Role(rawValue: roleName) else {
            try secure.audit.append(AuditEvent(actor: "api:\(name)", action: .recordRead, objectType: "api_token", objectID: id,
                                               outcome: .failure, details: ["integrity": .string("failed"), "table": .string(Self.tableName)]))
            return nil
        }
        return (name, role)
    }

    /// Revokes the token named `name`; false when there is no such unrevoked token.
    public func revoke(name: String, actor: String) throws -> Bool {
        try secure.audit.transaction { db -> (Bool, [AuditEvent]) in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE name = ? AND revoked_at IS NULL", arguments: [name])
            else { return (false, []) }
            let revoked = Timestamp.now(), id: String = row["id"]
            let tag = tag(id: id, name: name, role: row["role"], hash: row["token_hash"], created: row["created_at"], revoked: revoked)
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ?, integrity = ? WHERE id = ?", arguments: [revoked, tag, id])
            return (true, [AuditEvent(actor: actor, action: .authentication, objectType: "api_token", objectID: name,
                                      details: ["op": .string("revoke")])])
        }
    }

    static func hash(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    /// The tagged fields, in the order every product's token rows use.
    static func fields(name: String, role: String, hash: Data, created: String, revoked: String?) -> [String?] {
        [name, role, hash.base64EncodedString(), created, revoked]
    }

    private func tag(id: String, name: String, role: String, hash: Data, created: String, revoked: String?) -> Data {
        secure.integrityKey.tag(table: Self.tableName, row: id, fields: Self.fields(name: name, role: role, hash: hash, created: created,
                                                                                    revoked: revoked))
    }
}

public enum APITokenError: Error, Equatable, CustomStringConvertible {
    case nameTaken(String)
    public var description: String {
        switch self { case .nameTaken(let name): "a token named '\(name)' exists already" }
    }
}
