public import RecordStore
public import SuiteFoundation

extension AssistantStore {
    public enum Role: String, Sendable, StrictStringEnum {
        case agent, admin
    }

    /// The service's bearer tokens (`APITokens`, shared with triage): secrets start with `ast_`.
    public var tokens: APITokens<Role> { APITokens(secure: secure, secretPrefix: "ast_") }

    /// Creates an API token; returns the secret, which is shown once and stored only as a hash.
    public func createToken(name: String, role: Role, actor: String) throws -> String {
        try tokens.create(name: name, role: role, actor: actor)
    }

    /// The name and role of a valid, unrevoked token whose row passes its integrity check.
    public func authenticate(_ secret: String) throws -> (name: String, role: Role)? {
        try tokens.authenticate(secret)
    }

    /// Revokes the token named `name`; false when there is no such unrevoked token.
    public func revokeToken(name: String, actor: String) throws -> Bool {
        try tokens.revoke(name: name, actor: actor)
    }
}
