import AssistantCore
import Hummingbird

/// Per-request context: who the bearer token belongs to, once the auth middleware has run.
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var tokenName: String?
    public var role: AssistantStore.Role?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Request bodies are small JSON documents.
    public var maxUploadSize: Int { 64 * 1024 }
}
