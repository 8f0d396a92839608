import AssistantCore
import ServiceSupport

/// Per-request context: the shared service context with the assistant's roles; its identity is
/// set by the bearer-token authenticator.
typealias ServerContext = ServiceRequestContext<AssistantStore.Role>

extension AssistantStore.Role {
    /// The roles a token of this role holds: an admin may do everything an agent may.
    var grantedRoles: Set<AssistantStore.Role> {
        switch self {
        case .agent: return [.agent]
        case .admin: return [.agent, .admin]
        }
    }
}

extension AssistantStore {
    /// The identity of a valid, unrevoked token (looked up by its SHA-256 hash).
    func identity(forToken secret: String) throws -> TokenIdentity<Role>? {
        try authenticate(secret).map { TokenIdentity(name: $0.name, roles: $0.role.grantedRoles) }
    }
}
