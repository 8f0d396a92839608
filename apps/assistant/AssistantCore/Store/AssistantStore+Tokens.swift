import AuditLog
import Crypto
import Foundation
import GRDB
import RecordStore
public import SuiteFoundation

extension AssistantStore {
    public enum Role: String, Sendable, StrictStringEnum {
        case agent, admin
    }

    /// Creates an API token; returns the secret, which is shown once and stored only as a hash.
    /// The row (integrity-tagged) and its `auth` audit entry are written in one transaction.
    public func createToken(name: String, role: Role, actor: String) throws -> String {
        let secret = "ast_" + Data(randomTokenBytes()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        var token = APITokenRecord(id: RecordID.make(), name: name, role: role, tokenHash: Self.tokenHash(secret),
                                   createdAt: Timestamp.now(), revokedAt: nil, integrity: nil)
        token.integrity = integrityTag(token)
        try secure.audit.transaction { db -> ((), [AuditEvent]) in
            if try APITokenRecord.filter(APITokenRecord.Columns.name == name).fetchCount(db) > 0 {
                throw TokenError.nameTaken(name)
            }
            try db.execute(sql: "INSERT INTO api_tokens (id, name, role, token_hash, created_at, integrity) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [token.id, name, role.rawValue, token.tokenHash, token.createdAt, token.integrity])
            return ((), [AuditEvent(actor: actor, action: .authentication, objectType: "api_token", objectID: name,
                                    details: ["op": .string("create"), "role": .string(role.rawValue)])])
        }
        return secret
    }

    /// The name and role of a valid, unrevoked token. A token row that fails its integrity
    /// check (a role raised, a hash planted with an SQL shell) is refused, and the refusal audited.
    public func authenticate(_ secret: String) throws -> (name: String, role: Role)? {
        let stored = try database.read { db in
            try Row.fetchOne(db, APITokenRecord.filter(APITokenRecord.Columns.tokenHash == Self.tokenHash(secret))
                                 .filter(APITokenRecord.Columns.revokedAt == nil))
        }
        guard let stored else { return nil }
        let token = try APITokenRecord.decodeStored(stored)
        guard try hasIntegrity(token, actor: "api:\(token.name)") else { return nil }
        return (token.name, token.role)
    }

    /// Revokes the token named `name`; false when there is no such unrevoked token. The change
    /// (re-tagged) and its audit entry are written in one transaction.
    public func revokeToken(name: String, actor: String) throws -> Bool {
        try secure.audit.transaction { db -> (Bool, [AuditEvent]) in
            guard let row = try Row.fetchOne(db, APITokenRecord.filter(APITokenRecord.Columns.name == name)
                                                .filter(APITokenRecord.Columns.revokedAt == nil))
            else { return (false, []) }
            var token = try APITokenRecord.decodeStored(row)
            token.revokedAt = Timestamp.now()
            token.integrity = integrityTag(token)
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ?, integrity = ? WHERE id = ?",
                           arguments: [token.revokedAt, token.integrity, token.id])
            return (true, [AuditEvent(actor: actor, action: .authentication, objectType: "api_token", objectID: name,
                                      details: ["op": .string("revoke")])])
        }
    }

    static func tokenHash(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    private func randomTokenBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

enum TokenError: Error, Equatable, CustomStringConvertible {
    case nameTaken(String)
    var description: String {
        switch self { case .nameTaken(let name): return "a token named '\(name)' exists already" }
    }
}
