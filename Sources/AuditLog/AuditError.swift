/// Errors of the audit log.
public enum AuditError: Error, Equatable, CustomStringConvertible {
    /// `details` must be a JSON object of scalars; the value at `key` is not one.
    case invalidDetails(key: String)
    /// The checkpoint file could not be written or read.
    case checkpointIO(path: String, reason: String)
    /// A witness target that cannot be parsed (from `$<PRODUCT>_WITNESS` or `--witness`).
    case invalidWitness(spec: String, reason: String)
    /// The check at open found the chain broken; nothing was written.
    case chainBroken(AuditVerification.Problem)

    public var description: String {
        switch self {
        case .invalidDetails(let key):
            return "audit details must be scalars (no identifying free text); '\(key)' is not"
        case .checkpointIO(let path, let reason):
            return "\(path): audit checkpoint: \(reason)"
        case .invalidWitness(let spec, let reason):
            return "audit witness '\(spec)': \(reason)"
        case .chainBroken(let problem):
            return "the audit trail is broken: \(problem). Nothing was written; run `audit verify` and restore the store from a backup"
        }
    }
}
