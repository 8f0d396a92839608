/// A-ASSOCIATE-RQ (PS3.8 §9.3.2). Fixed part after the PDU header, 68 bytes: protocol version
/// (2, bit 0 = version 1), reserved (2), called AE title (16, space-padded ASCII), calling AE
/// title (16), reserved (32). Then items: application context (0x10), one presentation context
/// (0x20) per proposal, user information (0x50).
public struct AssociateRequest: Equatable, Sendable {
    public var protocolVersion: UInt16
    /// AE titles without their padding spaces (1–16 characters).
    public var calledAETitle: String
    public var callingAETitle: String
    public var applicationContext: String
    public var presentationContexts: [PresentationContextProposal]
    public var userInformation: UserInformation

    public init(protocolVersion: UInt16 = 1, calledAETitle: String, callingAETitle: String,
                applicationContext: String = WellKnownUID.applicationContext,
                presentationContexts: [PresentationContextProposal], userInformation: UserInformation) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContext = applicationContext
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }
}

/// A-ASSOCIATE-AC (PS3.8 §9.3.3): the same 68-byte fixed part as the request (the AE titles are
/// echoed from it), then application context (0x10), one presentation context result (0x21) per
/// proposal, user information (0x50).
public struct AssociateAccept: Equatable, Sendable {
    public var protocolVersion: UInt16
    public var calledAETitle: String
    public var callingAETitle: String
    public var applicationContext: String
    public var presentationContexts: [PresentationContextResult]
    public var userInformation: UserInformation

    public init(protocolVersion: UInt16 = 1, calledAETitle: String, callingAETitle: String,
                applicationContext: String = WellKnownUID.applicationContext,
                presentationContexts: [PresentationContextResult], userInformation: UserInformation) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContext = applicationContext
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }
}
