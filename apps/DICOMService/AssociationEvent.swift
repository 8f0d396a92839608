public import DICOMNetwork

/// What became of an association, for the product's metrics and logs.
public enum AssociationEvent: Sendable, Equatable {
    case accepted
    /// Rejected with this A-ASSOCIATE-RJ.
    case rejected(AssociateReject)
    /// Aborted by us: a malformed or unexpected PDU, an idle timeout, a message over the limit.
    case aborted(DICOMNetworkError)
}
