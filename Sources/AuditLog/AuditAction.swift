/// The fixed vocabulary of audited actions, each mapped onto a DICOM/IHE ATNA audit event
/// (DICOM PS3.16 CID 400 "Audit Event ID"). docs/SECURITY.md lists the mapping.
public enum AuditAction: String, Codable, Sendable, CaseIterable {
    /// Identifying fields of a record were decrypted and shown (e.g. `inspect --show-phi`).
    case recordRead = "record.read"
    /// A record was created from input (a ticket, a study).
    case recordCreate = "record.create"
    /// Records were exported (decrypted or de-identified).
    case recordExport = "record.export"
    /// A record's key was shredded or the record deleted.
    case recordDelete = "record.delete"
    /// A list or search over records (worklist, audit show).
    case query = "query"
    /// A model produced a result for a record (an answer, a score).
    case inference = "inference"
    /// A reviewer acted on a result (feedback, a study marked read).
    case review = "review"
    /// A model was trained or evaluated.
    case training = "training"
    /// Key management: init, rotate, re-encrypt.
    case keyManagement = "key.manage"
    /// The audit trail itself was verified or listed.
    case auditUse = "audit.use"
    /// Authentication: a token created, accepted or refused.
    case authentication = "auth"
    /// The model registry: a version added, promoted, rolled back to or retired.
    case modelManagement = "model.manage"

    /// The ATNA event code (DCM 1101xx) and its meaning.
    public var atnaEvent: (code: String, meaning: String) {
        switch self {
        case .recordRead: return ("110110", "Patient Record")
        case .recordCreate: return ("110107", "Import")
        case .recordExport: return ("110106", "Export")
        case .recordDelete: return ("110105", "DICOM Study Deleted")
        case .query: return ("110112", "Query")
        case .inference: return ("110103", "DICOM Instances Accessed")
        case .review: return ("110110", "Patient Record")
        case .training: return ("110100", "Application Activity")
        case .keyManagement: return ("110113", "Security Alert")
        case .auditUse: return ("110101", "Audit Log Used")
        case .authentication: return ("110114", "User Authentication")
        case .modelManagement: return ("110100", "Application Activity")
        }
    }
}

/// How an audited action ended.
public enum AuditOutcome: String, Codable, Sendable {
    case success
    case failure
    /// Refused by policy (authorisation, escalation).
    case denied
}
