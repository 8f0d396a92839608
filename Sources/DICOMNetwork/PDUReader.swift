/// Frames PDUs out of a byte stream: reads the 6-byte header, refuses an unknown type or a length
/// over the limit before any body byte is buffered, then decodes the whole PDU. Limits are in bytes
/// of the PDU length field (the body after the header):
/// - P-DATA-TF: `maximumDataLength`, the maximum length this side advertised (user information 0x51);
/// - A-ASSOCIATE-RQ/AC: `maximumAssociationLength` (many presentation contexts and user identity
///   make these larger than a small P-DATA limit);
/// - A-ASSOCIATE-RJ, A-RELEASE-RQ/RP, A-ABORT: 4, checked by `PDU.decode`.
public struct PDUReader: Sendable {
    /// Size of the PDU header: type, reserved, 32-bit length.
    public static let headerLength = 6

    public var maximumDataLength: Int
    public var maximumAssociationLength: Int

    public init(maximumDataLength: Int, maximumAssociationLength: Int = 65_536) {
        self.maximumDataLength = maximumDataLength
        self.maximumAssociationLength = maximumAssociationLength
    }

    /// The size of the PDU that starts `prefix` (header included), or nil while fewer than 6 bytes
    /// are there. Throws `unknownPDUType` or `pduTooLong` from the header alone.
    public func frameLength(_ prefix: some Collection<UInt8>) throws -> Int? {
        guard prefix.count >= Self.headerLength else { return nil }
        let header = Array(prefix.prefix(Self.headerLength))
        let type = header[0]
        let length = header[2...5].reduce(0) { $0 << 8 | Int($1) }
        let maximum: Int
        switch type {
        case PDUType.associateRequest, PDUType.associateAccept: maximum = maximumAssociationLength
        case PDUType.dataTransfer: maximum = maximumDataLength
        case PDUType.associateReject, PDUType.releaseRequest, PDUType.releaseResponse, PDUType.abort: maximum = 4
        default: throw DICOMNetworkError.unknownPDUType(type)
        }
        guard length <= maximum else {
            if maximum == 4 { throw DICOMNetworkError.invalidPDULength(type: type, length: length, expected: 4) }
            throw DICOMNetworkError.pduTooLong(type: type, length: length, maximum: maximum)
        }
        return Self.headerLength + length
    }
}
