/// A-ABORT (PS3.8 §9.3.8): after the PDU header (length 4) two reserved bytes, source, reason
/// (1 byte each).
public struct Abort: Equatable, Sendable {
    public enum Source: UInt8, Sendable {
        case serviceUser = 0
        case reserved = 1
        case serviceProvider = 2
    }

    public var source: Source
    /// Significant only when the source is the service provider (a service user sends 0).
    public var reason: AbortReason

    public init(source: Source, reason: AbortReason) {
        self.source = source
        self.reason = reason
    }
}

/// A-ABORT reason/diagnostic codes (PS3.8 Table 9-26).
public enum AbortReason: UInt8, Sendable {
    case reasonNotSpecified = 0
    case unrecognizedPDU = 1
    case unexpectedPDU = 2
    case unrecognizedPDUParameter = 4
    case unexpectedPDUParameter = 5
    case invalidPDUParameterValue = 6
}
