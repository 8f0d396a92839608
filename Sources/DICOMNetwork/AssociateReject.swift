/// A-ASSOCIATE-RJ (PS3.8 §9.3.4): after the PDU header (length 4) one reserved byte, result,
/// source, reason/diagnostic (1 byte each). `reason` carries the source and reason codes of
/// PS3.8 Table 9-21.
public struct AssociateReject: Equatable, Sendable {
    public enum Result: UInt8, Sendable {
        case rejectedPermanent = 1
        case rejectedTransient = 2
    }

    /// Source (first code) and reason (second code).
    public enum Reason: Equatable, Sendable {
        /// Source 1, DICOM UL service-user.
        case serviceUser(ServiceUserReason)
        /// Source 2, DICOM UL service-provider (ACSE related function).
        case serviceProviderACSE(ACSEReason)
        /// Source 3, DICOM UL service-provider (presentation related function).
        case serviceProviderPresentation(PresentationReason)

        public var source: UInt8 {
            switch self {
            case .serviceUser: 1
            case .serviceProviderACSE: 2
            case .serviceProviderPresentation: 3
            }
        }

        public var code: UInt8 {
            switch self {
            case .serviceUser(let r): r.rawValue
            case .serviceProviderACSE(let r): r.rawValue
            case .serviceProviderPresentation(let r): r.rawValue
            }
        }

        /// The reason for a source and reason byte pair; nil for the reserved codes.
        package init?(source: UInt8, code: UInt8) {
            switch source {
            case 1: guard let r = ServiceUserReason(rawValue: code) else { return nil }; self = .serviceUser(r)
            case 2: guard let r = ACSEReason(rawValue: code) else { return nil }; self = .serviceProviderACSE(r)
            case 3: guard let r = PresentationReason(rawValue: code) else { return nil }; self = .serviceProviderPresentation(r)
            default: return nil
            }
        }
    }

    public enum ServiceUserReason: UInt8, Sendable {
        case noReasonGiven = 1
        case applicationContextNameNotSupported = 2
        case callingAETitleNotRecognized = 3
        case calledAETitleNotRecognized = 7
    }

    public enum ACSEReason: UInt8, Sendable {
        case noReasonGiven = 1
        case protocolVersionNotSupported = 2
    }

    public enum PresentationReason: UInt8, Sendable {
        case temporaryCongestion = 1
        case localLimitExceeded = 2
    }

    public var result: Result
    public var reason: Reason

    public init(result: Result, reason: Reason) {
        self.result = result
        self.reason = reason
    }
}
