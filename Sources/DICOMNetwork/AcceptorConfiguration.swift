/// What an acceptor (SCP) offers: its AE title, the abstract syntaxes it serves with the transfer
/// syntaxes it takes for each, and its limits.
public struct AcceptorConfiguration: Sendable {
    /// Our AE title; an A-ASSOCIATE-RQ calling any other is rejected (called AE title not recognized).
    public var aeTitle: String
    /// Calling AE titles allowed to associate; nil lets any peer in. A title not listed is rejected
    /// (calling AE title not recognized).
    public var callingAETitles: Set<String>?
    /// Abstract syntax UID → acceptable transfer syntax UIDs, most preferred first.
    public var abstractSyntaxes: [String: [String]]
    /// The maximum P-DATA-TF length field we accept and advertise (user information 0x51), bytes.
    public var maximumPDULength: UInt32
    /// The largest DIMSE message (command + data set) held in memory, bytes.
    public var maximumMessageLength: Int
    public var implementationClassUID: String
    public var implementationVersionName: String

    /// The suite's implementation class UID (a 2.25 UUID-derived UID, PS3.5 §B.2), fixed so peers' logs can name us.
    public static let suiteImplementationClassUID = "2.25.208348149110337213712864277981760786864"
    public static let suiteImplementationVersionName = "CLINSUITE_1"

    /// Verification SOP Class on Implicit or Explicit VR Little Endian (we prefer implicit, the default syntax).
    public static let verificationOnly = [
        WellKnownUID.verificationSOPClass: [WellKnownUID.implicitVRLittleEndian, WellKnownUID.explicitVRLittleEndian],
    ]

    public init(aeTitle: String, callingAETitles: Set<String>? = nil, abstractSyntaxes: [String: [String]] = verificationOnly,
                maximumPDULength: UInt32 = 65_536,
                maximumMessageLength: Int = 16 << 20, implementationClassUID: String = suiteImplementationClassUID,
                implementationVersionName: String = suiteImplementationVersionName) {
        self.aeTitle = aeTitle
        self.callingAETitles = callingAETitles
        self.abstractSyntaxes = abstractSyntaxes
        self.maximumPDULength = maximumPDULength
        self.maximumMessageLength = maximumMessageLength
        self.implementationClassUID = implementationClassUID
        self.implementationVersionName = implementationVersionName
    }
}
