/// The body of A-ASSOCIATE-RQ (PS3.8 §9.3.2) and A-ASSOCIATE-AC (§9.3.3), which differ only in
/// their presentation context items. Fixed part after the PDU header, 68 bytes: protocol version
/// (2, bit 0 = version 1), reserved (2), called AE title (16, space-padded ASCII), calling AE title
/// (16), reserved (32). Then items: application context (0x10), one presentation context per
/// proposal (0x20 in the request, 0x21 in the accept, which echoes the request's AE titles), user
/// information (0x50).
public struct AssociatePDU<Context: Equatable & Sendable>: Equatable, Sendable {
    public var protocolVersion: UInt16
    /// AE titles without their padding spaces (1–16 characters).
    public var calledAETitle: String
    public var callingAETitle: String
    public var applicationContext: String
    public var presentationContexts: [Context]
    public var userInformation: UserInformation

    public init(protocolVersion: UInt16 = 1, calledAETitle: String, callingAETitle: String,
                applicationContext: String = WellKnownUID.applicationContext,
                presentationContexts: [Context], userInformation: UserInformation) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContext = applicationContext
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }
}

/// A-ASSOCIATE-RQ: presentation context items 0x20.
public typealias AssociateRequest = AssociatePDU<PresentationContextProposal>
/// A-ASSOCIATE-AC: presentation context items 0x21.
public typealias AssociateAccept = AssociatePDU<PresentationContextResult>
