public import Hummingbird
public import HummingbirdAuth

/// Bearer-token authentication on hummingbird-auth's `AuthenticatorMiddleware`: the secret from
/// `Authorization: Bearer …` is handed to the product's `verify` (which looks up its hash in the
/// product's token store). Every route behind it needs a token: a missing, unknown or revoked
/// one ends the request with 401 `unauthorized` instead of passing it on without identity, and
/// is reported to the `AuthenticationRefusalAuditor` (the secret never is).
public struct BearerTokenAuthenticator<Role: Hashable & Sendable>: AuthenticatorMiddleware {
    public typealias Context = ServiceRequestContext<Role>
    public typealias Identity = TokenIdentity<Role>

    let verify: @Sendable (String) async throws -> TokenIdentity<Role>?
    let refusals: AuthenticationRefusalAuditor?

    public init(refusals: AuthenticationRefusalAuditor? = nil,
                verify: @escaping @Sendable (_ secret: String) async throws -> TokenIdentity<Role>?) {
        self.verify = verify
        self.refusals = refusals
    }

    public func authenticate(request: Request, context: Context) async throws -> TokenIdentity<Role>? {
        guard let bearer = request.headers.bearer, !bearer.token.isEmpty,
              let identity = try await verify(bearer.token)
        else {
            refusals?.record(status: .unauthorized, clientAddress: context.clientAddress, tokenName: nil)
            throw ServiceError.unauthorized
        }
        return identity
    }
}

/// Allows a route group only to identities holding `role` (hummingbird-auth's `RolePolicy`);
/// others get 403 `forbidden`, requests without identity 401.
public func requireRole<Role: Hashable & Sendable>(_ role: Role) -> some RouterMiddleware<ServiceRequestContext<Role>> {
    AuthorizationPolicyMiddleware(RolePolicy<TokenIdentity<Role>>(role), deniedError: ServiceError.forbidden,
                                  context: ServiceRequestContext<Role>.self)
}
