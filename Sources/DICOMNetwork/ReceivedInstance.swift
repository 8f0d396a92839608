/// A composite instance received by C-STORE (PS3.7 §9.1.1), waiting for the storage that answers it:
/// the request's identifiers and the data set bytes as they came, in the context's transfer syntax.
public struct ReceivedInstance: Equatable, Sendable {
    /// MessageID (0000,0110) of the C-STORE-RQ; the response names it.
    public var messageID: UInt16
    public var contextID: UInt8
    /// AffectedSOPClassUID (0000,0002), the same as the context's abstract syntax.
    public var sopClassUID: String
    /// AffectedSOPInstanceUID (0000,1000).
    public var sopInstanceUID: String
    /// The accepted transfer syntax of the context, which the data set is encoded in.
    public var transferSyntaxUID: String
    /// Priority (0000,0700): 0 medium, 1 high, 2 low.
    public var priority: UInt16
    /// The peer's AE title (calling) and ours as it called us.
    public var callingAETitle: String
    public var calledAETitle: String
    /// The data set, without File Meta Information (PS3.10 §7.1 is for files only).
    public var dataSet: [UInt8]

    public init(messageID: UInt16, contextID: UInt8, sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String,
                priority: UInt16, callingAETitle: String, calledAETitle: String, dataSet: [UInt8]) {
        self.messageID = messageID
        self.contextID = contextID
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.transferSyntaxUID = transferSyntaxUID
        self.priority = priority
        self.callingAETitle = callingAETitle
        self.calledAETitle = calledAETitle
        self.dataSet = dataSet
    }
}

/// The storage's answer to a `ReceivedInstance`, sent as the C-STORE-RSP Status (PS3.4 Table B.2-1)
/// with an ErrorComment for anything but success.
public enum StoreStatus: Equatable, Sendable {
    /// Stored durably.
    case success
    /// An instance with this SOP Instance UID was stored before; the first copy is kept and this
    /// one discarded. Warning B006 (elements discarded): the SCU need not resend.
    case duplicate
    /// The spool is full or the disk failed: A700 (refused, out of resources). Nothing was kept.
    case outOfResources(String)
    /// The data set could not be read as the SOP class it claims: C000 (cannot understand).
    case cannotUnderstand(String)

    /// The Status value.
    public var code: UInt16 {
        switch self {
        case .success: 0x0000
        case .duplicate: 0xB006
        case .outOfResources: 0xA700
        case .cannotUnderstand: 0xC000
        }
    }

    /// The ErrorComment (0000,0902), at most 64 characters; nil for success.
    public var comment: String? {
        switch self {
        case .success: nil
        case .duplicate: "duplicate SOP Instance UID; the first copy is kept"
        case .outOfResources(let reason), .cannotUnderstand(let reason): reason
        }
    }
}
