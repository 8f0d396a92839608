/// A DICOM upper layer protocol data unit (PS3.8 §9.3). On the wire every PDU starts with a 6-byte
/// header: PDU type (1 byte), reserved 0 (1), length of the rest (4, big-endian, bytes).
public enum PDU: Equatable, Sendable {
    /// 0x01
    case associateRequest(AssociateRequest)
    /// 0x02
    case associateAccept(AssociateAccept)
    /// 0x03
    case associateReject(AssociateReject)
    /// 0x04: one or more presentation data values.
    case dataTransfer([PresentationDataValue])
    /// 0x05
    case releaseRequest
    /// 0x06
    case releaseResponse
    /// 0x07
    case abort(Abort)

    /// The PDU type byte.
    public var type: UInt8 {
        switch self {
        case .associateRequest: PDUType.associateRequest
        case .associateAccept: PDUType.associateAccept
        case .associateReject: PDUType.associateReject
        case .dataTransfer: PDUType.dataTransfer
        case .releaseRequest: PDUType.releaseRequest
        case .releaseResponse: PDUType.releaseResponse
        case .abort: PDUType.abort
        }
    }
}

/// PDU type codes (PS3.8 Table 9-1 and §9.3.2–9.3.8).
package enum PDUType {
    package static let associateRequest: UInt8 = 0x01
    package static let associateAccept: UInt8 = 0x02
    package static let associateReject: UInt8 = 0x03
    package static let dataTransfer: UInt8 = 0x04
    package static let releaseRequest: UInt8 = 0x05
    package static let releaseResponse: UInt8 = 0x06
    package static let abort: UInt8 = 0x07
}

/// Item type codes of the variable fields of A-ASSOCIATE-RQ/AC (PS3.8 §9.3.2–9.3.3, PS3.7 Annex D).
enum ItemType {
    static let applicationContext: UInt8 = 0x10
    static let presentationContextRequest: UInt8 = 0x20
    static let presentationContextAccept: UInt8 = 0x21
    static let abstractSyntax: UInt8 = 0x30
    static let transferSyntax: UInt8 = 0x40
    static let userInformation: UInt8 = 0x50
    static let maximumLength: UInt8 = 0x51
    static let implementationClassUID: UInt8 = 0x52
    static let implementationVersionName: UInt8 = 0x55
}

/// UIDs the upper layer names (PS3.7 Annex A, PS3.5 §10, PS3.4 Annex A).
public enum WellKnownUID {
    /// The DICOM application context name, the only one defined (PS3.7 Annex A.2.1).
    public static let applicationContext = "1.2.840.10008.3.1.1.1"
    /// Verification SOP Class (C-ECHO, PS3.4 Annex A).
    public static let verificationSOPClass = "1.2.840.10008.1.1"
    /// Implicit VR Little Endian, the default transfer syntax every acceptor must support.
    public static let implicitVRLittleEndian = "1.2.840.10008.1.2"
    public static let explicitVRLittleEndian = "1.2.840.10008.1.2.1"
}
