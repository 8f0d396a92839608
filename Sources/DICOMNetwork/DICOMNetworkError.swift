/// Why a DICOM upper layer exchange failed: a PDU that does not decode, a PDU or message over a
/// limit, a PDU the association's state does not allow, or a DIMSE command set that is not valid.
/// Every case names what is wrong; byte counts are in bytes, PDU and item types are the PS3.8
/// type codes. The acceptor answers each with an A-ABORT whose reason is `abortReason`.
public enum DICOMNetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first byte of a PDU is not one of the PDU types 0x01–0x07 (PS3.8 §9.3.1).
    case unknownPDUType(UInt8)
    /// A PDU's length field (bytes after its 6-byte header) exceeds what this side accepts.
    case pduTooLong(type: UInt8, length: Int, maximum: Int)
    /// A fixed-size PDU (A-ASSOCIATE-RJ, A-RELEASE-RQ/RP, A-ABORT: 4 bytes) declares another length.
    case invalidPDULength(type: UInt8, length: Int, expected: Int)
    /// A field or item runs past the end of the PDU or item that contains it.
    case truncated(what: String, needed: Int, remaining: Int)
    /// The connection closed with part of a PDU received (`received` of `declared` bytes, header included).
    case connectionClosedMidPDU(received: Int, declared: Int)
    /// An item type that may not appear where it was found (e.g. 0x21 in an A-ASSOCIATE-RQ).
    case unexpectedItem(type: UInt8, in: String)
    /// A required item is absent (application context, abstract syntax, transfer syntax, user information).
    case missingItem(String)
    /// A field's value is out of its range or not decodable (AE title, UID, reject or abort code, PDV).
    case invalidValue(field: String, reason: String)
    /// A PDU the association's current state does not allow (PS3.8 §9.2 state table).
    case unexpectedPDU(type: UInt8, state: String)
    /// A PDV names a presentation context that was not accepted on this association.
    case unacceptedPresentationContext(UInt8)
    /// PDV fragments out of order: data before the command is complete, a context change mid-message.
    case fragmentOrder(String)
    /// A reassembled DIMSE message larger than the configured bound.
    case messageTooLarge(bytes: Int, maximum: Int)
    /// A DIMSE command set that does not parse or lacks a required field (PS3.7 §9.3).
    case invalidCommand(String)
    /// An established association sent no PDU for `seconds`.
    case associationIdle(seconds: Double)

    /// The A-ABORT reason (PS3.8 Table 9-26, source 2: service provider) an acceptor sends for this error.
    var abortReason: AbortReason {
        switch self {
        case .unknownPDUType: .unrecognizedPDU
        case .unexpectedPDU: .unexpectedPDU
        case .unexpectedItem: .unexpectedPDUParameter
        case .missingItem: .unrecognizedPDUParameter
        case .pduTooLong, .invalidPDULength, .truncated, .invalidValue, .unacceptedPresentationContext, .fragmentOrder:
            .invalidPDUParameterValue
        case .connectionClosedMidPDU, .messageTooLarge, .invalidCommand, .associationIdle: .reasonNotSpecified
        }
    }

    public var description: String {
        switch self {
        case .unknownPDUType(let t): "unknown PDU type \(hex(t))"
        case .pduTooLong(let t, let n, let max): "PDU type \(hex(t)) declares \(n) bytes, over the maximum of \(max)"
        case .invalidPDULength(let t, let n, let e): "PDU type \(hex(t)) declares \(n) bytes; it has \(e)"
        case .truncated(let what, let n, let r): "\(what) needs \(n) bytes but \(r) remain"
        case .connectionClosedMidPDU(let r, let d): "connection closed after \(r) of a PDU's \(d) bytes"
        case .unexpectedItem(let t, let place): "item type \(hex(t)) is not allowed in \(place)"
        case .missingItem(let what): "missing \(what)"
        case .invalidValue(let field, let reason): "invalid \(field): \(reason)"
        case .unexpectedPDU(let t, let state): "PDU type \(hex(t)) is not expected \(state)"
        case .unacceptedPresentationContext(let id): "presentation context \(id) was not accepted"
        case .fragmentOrder(let reason): "PDV fragments out of order: \(reason)"
        case .messageTooLarge(let n, let max): "DIMSE message of \(n) bytes exceeds the maximum of \(max)"
        case .invalidCommand(let reason): "invalid DIMSE command set: \(reason)"
        case .associationIdle(let seconds): "no PDU for \(seconds) s on an established association"
        }
    }
}

/// "0x07".
func hex(_ byte: UInt8) -> String {
    let s = String(byte, radix: 16, uppercase: true)
    return "0x" + (s.count < 2 ? "0" : "") + s
}
