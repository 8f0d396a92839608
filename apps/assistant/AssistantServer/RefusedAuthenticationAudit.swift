import RecordStore
import ServiceSupport

/// The assistant's refused authentications in its store's audit trail.
enum RefusedAuthenticationAudit {
    /// An auditor whose summaries are appended by `store`, one executor job each (the append
    /// is a SQLite write: never on the event loop).
    static func auditor(store: SecureStore, executor: InferenceExecutor, intervalSeconds: Int) -> AuthenticationRefusalAuditor {
        AuthenticationRefusalAuditor(intervalSeconds: intervalSeconds) { summary in
            try await executor.perform {
                try store.auditRefusedAuthentication(clientAddress: summary.clientAddress, tokenName: summary.tokenName,
                                                     status: summary.status, refusals: summary.refusals,
                                                     windowSeconds: summary.intervalSeconds)
            }
        }
    }
}
