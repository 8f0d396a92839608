/// A product's refused authentications in its store's audit trail.
public enum RefusedAuthenticationAudit {
    /// Appends one summary: the client's address, the token's name when it was a known token,
    /// the HTTP status, the refusals counted and the window in seconds (`SecureStore`'s
    /// `auditRefusedAuthentication`, passed by the product: ServiceSupport stays free of domain modules).
    public typealias Append = @Sendable (_ clientAddress: String?, _ tokenName: String?, _ status: Int, _ refusals: Int,
                                         _ windowSeconds: Int) throws -> Void

    /// An auditor whose summaries are appended by `append`, one executor job each (the append
    /// is a SQLite write: never on the event loop).
    public static func auditor(executor: InferenceExecutor, intervalSeconds: Int, append: @escaping Append) -> AuthenticationRefusalAuditor {
        AuthenticationRefusalAuditor(intervalSeconds: intervalSeconds) { summary in
            try await executor.perform {
                try append(summary.clientAddress, summary.tokenName, summary.status, summary.refusals, summary.intervalSeconds)
            }
        }
    }
}
