import DICOM

/// A DIMSE command set (PS3.7 §9.3, §E.1): group 0000 elements in Implicit VR Little Endian, led by
/// CommandGroupLength (0000,0000), UL, the byte count of the elements after it. Covers the fields
/// of C-ECHO-RQ/RSP (PS3.7 §9.3.5) and C-STORE-RQ/RSP (§9.3.1).
package struct DIMSECommand: Equatable, Sendable {
    /// CommandField (0000,0100) values.
    package enum Field: UInt16, Sendable {
        case storeRequest = 0x0001
        case storeResponse = 0x8001
        case echoRequest = 0x0030
        case echoResponse = 0x8030
    }

    /// CommandDataSetType (0000,0800) value meaning "no data set follows"; any other value means one does.
    package static let noDataSet: UInt16 = 0x0101
    /// Status (0000,0900) Success.
    package static let success: UInt16 = 0x0000
    /// Status Refused: SOP Class not supported (PS3.7 Annex C.5.8).
    package static let sopClassNotSupported: UInt16 = 0x0122

    package var field: Field
    /// AffectedSOPClassUID (0000,0002).
    package var affectedSOPClassUID: String
    /// MessageID (0000,0110), requests only.
    package var messageID: UInt16?
    /// MessageIDBeingRespondedTo (0000,0120), responses only.
    package var messageIDBeingRespondedTo: UInt16?
    /// Priority (0000,0700), C-STORE-RQ only: 0 medium, 1 high, 2 low.
    package var priority: UInt16?
    /// CommandDataSetType (0000,0800).
    package var dataSetType: UInt16
    /// Status (0000,0900), responses only.
    package var status: UInt16?
    /// ErrorComment (0000,0902), responses only: why a status is not success (at most 64 characters).
    package var errorComment: String?
    /// AffectedSOPInstanceUID (0000,1000), C-STORE only.
    package var affectedSOPInstanceUID: String?
    /// MoveOriginatorApplicationEntityTitle (0000,1030), C-STORE-RQ on behalf of a C-MOVE.
    package var moveOriginatorAETitle: String?
    /// MoveOriginatorMessageID (0000,1031).
    package var moveOriginatorMessageID: UInt16?

    package var hasDataSet: Bool { dataSetType != Self.noDataSet }

    package static func echoRequest(messageID: UInt16) -> DIMSECommand {
        DIMSECommand(field: .echoRequest, affectedSOPClassUID: WellKnownUID.verificationSOPClass, messageID: messageID,
                     dataSetType: noDataSet)
    }

    package static func echoResponse(to request: DIMSECommand, status: UInt16) -> DIMSECommand {
        DIMSECommand(field: .echoResponse, affectedSOPClassUID: request.affectedSOPClassUID,
                     messageIDBeingRespondedTo: request.messageID, dataSetType: noDataSet, status: status)
    }

    package static func storeRequest(messageID: UInt16, sopClassUID: String, sopInstanceUID: String, priority: UInt16 = 0) -> DIMSECommand {
        DIMSECommand(field: .storeRequest, affectedSOPClassUID: sopClassUID, messageID: messageID, priority: priority,
                     dataSetType: 0x0000, affectedSOPInstanceUID: sopInstanceUID)
    }

    package static func storeResponse(to request: DIMSECommand, status: UInt16, errorComment: String? = nil) -> DIMSECommand {
        DIMSECommand(field: .storeResponse, affectedSOPClassUID: request.affectedSOPClassUID,
                     messageIDBeingRespondedTo: request.messageID, dataSetType: noDataSet, status: status,
                     errorComment: errorComment.map { String($0.prefix(64)) },
                     affectedSOPInstanceUID: request.affectedSOPInstanceUID)
    }

    /// The command set's bytes, CommandGroupLength first, then the present fields in tag order.
    package func encoded() throws -> [UInt8] {
        var set = DataSet()
        func us(_ tag: Tag, _ v: UInt16?) {
            if let v { set[tag] = DataElement(tag: tag, vr: .US, value: .bytes([UInt8(v & 0xFF), UInt8(v >> 8)])) }
        }
        set.setString(CommandTag.affectedSOPClassUID, affectedSOPClassUID, vr: .UI)
        us(CommandTag.commandField, field.rawValue)
        us(CommandTag.messageID, messageID)
        us(CommandTag.messageIDBeingRespondedTo, messageIDBeingRespondedTo)
        us(CommandTag.priority, priority)
        us(CommandTag.commandDataSetType, dataSetType)
        us(CommandTag.status, status)
        if let errorComment { set.setString(CommandTag.errorComment, errorComment, vr: .LO) }
        if let affectedSOPInstanceUID { set.setString(CommandTag.affectedSOPInstanceUID, affectedSOPInstanceUID, vr: .UI) }
        if let moveOriginatorAETitle { set.setString(CommandTag.moveOriginatorAETitle, moveOriginatorAETitle, vr: .AE) }
        us(CommandTag.moveOriginatorMessageID, moveOriginatorMessageID)
        let body: [UInt8]
        do { body = try set.encoded(transferSyntax: .implicitVRLittleEndian, source: "DIMSE command set") } catch {
            throw DICOMNetworkError.invalidCommand("\(error)")
        }
        let n = UInt32(body.count)
        // (0000,0000) UL, implicit VR: tag (4 bytes LE), length 4 (4 bytes LE), value (4 bytes LE).
        return [0, 0, 0, 0, 4, 0, 0, 0, UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)] + body
    }

    /// Decodes a reassembled command set. Throws `invalidCommand` naming the unparsable bytes, the
    /// unknown CommandField, or the missing required field.
    package static func decode(_ bytes: [UInt8]) throws -> DIMSECommand {
        let set: DataSet
        do { set = try DataSet.parse(bytes, transferSyntax: .implicitVRLittleEndian, source: "DIMSE command set") } catch {
            throw DICOMNetworkError.invalidCommand("\(error)")
        }
        if let e = set.elements.first(where: { $0.tag.group != 0x0000 }) {
            throw DICOMNetworkError.invalidCommand("element \(e.tag) outside group 0000")
        }
        func us(_ tag: Tag, _ name: String) throws -> UInt16? {
            guard let e = set[tag] else { return nil }
            guard case .bytes(let b) = e.value, b.count == 2 else { throw DICOMNetworkError.invalidCommand("\(name) \(tag) is not 2 bytes") }
            return UInt16(b[0]) | UInt16(b[1]) << 8
        }
        func required<T>(_ value: T?, _ name: String, _ tag: Tag) throws -> T {
            guard let value else { throw DICOMNetworkError.invalidCommand("missing \(name) \(tag)") }
            return value
        }
        let rawField = try required(try us(CommandTag.commandField, "CommandField"), "CommandField", CommandTag.commandField)
        guard let field = Field(rawValue: rawField) else {
            throw DICOMNetworkError.invalidCommand("CommandField 0x\(String(rawField, radix: 16)) is not C-ECHO or C-STORE")
        }
        let command = DIMSECommand(
            field: field,
            affectedSOPClassUID: try required(set.string(CommandTag.affectedSOPClassUID), "AffectedSOPClassUID", CommandTag.affectedSOPClassUID),
            messageID: try us(CommandTag.messageID, "MessageID"),
            messageIDBeingRespondedTo: try us(CommandTag.messageIDBeingRespondedTo, "MessageIDBeingRespondedTo"),
            priority: try us(CommandTag.priority, "Priority"),
            dataSetType: try required(try us(CommandTag.commandDataSetType, "CommandDataSetType"), "CommandDataSetType", CommandTag.commandDataSetType),
            status: try us(CommandTag.status, "Status"),
            errorComment: set.string(CommandTag.errorComment),
            affectedSOPInstanceUID: set.string(CommandTag.affectedSOPInstanceUID),
            moveOriginatorAETitle: set.string(CommandTag.moveOriginatorAETitle),
            moveOriginatorMessageID: try us(CommandTag.moveOriginatorMessageID, "MoveOriginatorMessageID"))
        switch field {
        case .echoRequest, .storeRequest:
            _ = try required(command.messageID, "MessageID", CommandTag.messageID)
        case .echoResponse, .storeResponse:
            _ = try required(command.messageIDBeingRespondedTo, "MessageIDBeingRespondedTo", CommandTag.messageIDBeingRespondedTo)
            _ = try required(command.status, "Status", CommandTag.status)
        }
        if field == .storeRequest {
            _ = try required(command.affectedSOPInstanceUID, "AffectedSOPInstanceUID", CommandTag.affectedSOPInstanceUID)
            _ = try required(command.priority, "Priority", CommandTag.priority)
        }
        return command
    }
}

/// Group 0000 tags the command sets above use (PS3.7 Annex E).
enum CommandTag {
    static let affectedSOPClassUID = Tag(0x0000, 0x0002)
    static let commandField = Tag(0x0000, 0x0100)
    static let messageID = Tag(0x0000, 0x0110)
    static let messageIDBeingRespondedTo = Tag(0x0000, 0x0120)
    static let priority = Tag(0x0000, 0x0700)
    static let commandDataSetType = Tag(0x0000, 0x0800)
    static let status = Tag(0x0000, 0x0900)
    static let errorComment = Tag(0x0000, 0x0902)
    static let affectedSOPInstanceUID = Tag(0x0000, 0x1000)
    static let moveOriginatorAETitle = Tag(0x0000, 0x1030)
    static let moveOriginatorMessageID = Tag(0x0000, 0x1031)
}
