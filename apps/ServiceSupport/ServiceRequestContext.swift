public import Hummingbird
public import HummingbirdAuth
import NIOCore

/// Who a bearer token belongs to: its name (a label such as `desk-1`, never a person's data)
/// and the roles it holds. A role that includes others lists them all (an admin is also an agent),
/// so `RolePolicy` checks are plain membership tests.
public struct TokenIdentity<Role: Hashable & Sendable>: RoleProviding, Sendable {
    public let name: String
    public let roles: Set<Role>

    public init(name: String, roles: Set<Role>) {
        self.name = name
        self.roles = roles
    }
}

/// The request context of the suite's services: Hummingbird's core context plus the
/// authenticated identity (`AuthRequestContext` of hummingbird-auth) and the client's address.
public struct ServiceRequestContext<Role: Hashable & Sendable>: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: TokenIdentity<Role>?
    /// The peer's IP address (no port), nil when unknown (tests without a socket). Personal
    /// data: it keys the refusal audit's counts and is never logged or stored in clear.
    let clientAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// `BodyLimitMiddleware` enforces the configured limit before a handler reads the body.
    public var maxUploadSize: Int { 1 << 20 }
}
