/// Errors of the audit log.
public enum AuditError: Error, Equatable, CustomStringConvertible {
    /// `details` must be a JSON object of scalars; the value at `key` is not one.
    case invalidDetails(key: String)
    /// The checkpoint file could not be written or read.
    case checkpointIO(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidDetails(let key):
            return "audit details must be scalars (no identifying free text); '\(key)' is not"
        case .checkpointIO(let path, let reason):
            return "\(path): audit checkpoint: \(reason)"
        }
    }
}
