extension PDU {
    /// Decodes one whole PDU, header included (`frame.count` = 6 + its length field). Throws a
    /// `DICOMNetworkError` naming the field for anything that does not match PS3.8 §9.3; never traps.
    public static func decode(_ frame: [UInt8]) throws -> PDU {
        var header = BigEndianReader(frame[...])
        let type = try header.u8("the PDU type")
        _ = try header.u8("the PDU header's reserved byte")
        let length = Int(try header.u32("the PDU length"))
        guard length == header.remaining else {
            throw DICOMNetworkError.truncated(what: "PDU type \(hex(type)) (declared length \(length))", needed: length, remaining: header.remaining)
        }
        var r = BigEndianReader(frame[6...])
        switch type {
        case PDUType.associateRequest:
            return .associateRequest(try association(&r, "A-ASSOCIATE-RQ", contextItemType: ItemType.presentationContextRequest, context: proposal))
        case PDUType.associateAccept:
            return .associateAccept(try association(&r, "A-ASSOCIATE-AC", contextItemType: ItemType.presentationContextAccept, context: result))
        case PDUType.associateReject:
            try expectLength(type, length, 4)
            _ = try r.u8("reserved")
            let resultByte = try r.u8("result"), source = try r.u8("source"), code = try r.u8("reason")
            guard let result = AssociateReject.Result(rawValue: resultByte) else {
                throw DICOMNetworkError.invalidValue(field: "A-ASSOCIATE-RJ result", reason: "\(resultByte) is not 1 or 2")
            }
            guard let reason = AssociateReject.Reason(source: source, code: code) else {
                throw DICOMNetworkError.invalidValue(field: "A-ASSOCIATE-RJ source/reason", reason: "source \(source) reason \(code) is reserved")
            }
            return .associateReject(AssociateReject(result: result, reason: reason))
        case PDUType.dataTransfer:
            var pdvs: [PresentationDataValue] = []
            while !r.isAtEnd {
                let itemLength = Int(try r.u32("a PDV item length"))
                guard itemLength >= 2 else {
                    throw DICOMNetworkError.invalidValue(field: "PDV item length", reason: "\(itemLength) is below the 2 bytes of context ID and control header")
                }
                var item = BigEndianReader(try r.take(itemLength, "a PDV item (declared length \(itemLength))"))
                let id = try item.u8("PDV context ID"), control = try item.u8("PDV message control header")
                pdvs.append(PresentationDataValue(contextID: id, isCommand: control & 0x01 != 0, isLastFragment: control & 0x02 != 0,
                                                  fragment: Array(try item.take(item.remaining, "PDV fragment"))))
            }
            guard !pdvs.isEmpty else { throw DICOMNetworkError.missingItem("presentation data value item in P-DATA-TF") }
            return .dataTransfer(pdvs)
        case PDUType.releaseRequest:
            try expectLength(type, length, 4)
            return .releaseRequest
        case PDUType.releaseResponse:
            try expectLength(type, length, 4)
            return .releaseResponse
        case PDUType.abort:
            try expectLength(type, length, 4)
            _ = try r.take(2, "reserved")
            let sourceByte = try r.u8("source"), reasonByte = try r.u8("reason")
            guard let source = Abort.Source(rawValue: sourceByte) else {
                throw DICOMNetworkError.invalidValue(field: "A-ABORT source", reason: "\(sourceByte) is not 0, 1 or 2")
            }
            guard let reason = AbortReason(rawValue: reasonByte) else {
                throw DICOMNetworkError.invalidValue(field: "A-ABORT reason", reason: "\(reasonByte) is not 0-2 or 4-6")
            }
            return .abort(Abort(source: source, reason: reason))
        default:
            throw DICOMNetworkError.unknownPDUType(type)
        }
    }

    private static func expectLength(_ type: UInt8, _ length: Int, _ expected: Int) throws {
        guard length == expected else { throw DICOMNetworkError.invalidPDULength(type: type, length: length, expected: expected) }
    }

    /// The 68-byte fixed part and the items of A-ASSOCIATE-RQ/AC (`name`); presentation context
    /// items must be `contextItemType`, their bodies decoded by `context`.
    private static func association<Context>(_ r: inout BigEndianReader, _ name: String, contextItemType: UInt8,
                                             context decodeContext: (ArraySlice<UInt8>) throws -> Context) throws -> AssociatePDU<Context> {
        let version = try r.u16("protocol version")
        _ = try r.take(2, "reserved")
        let called = try aeTitle(r.take(16, "called AE title"), "called AE title")
        let calling = try aeTitle(r.take(16, "calling AE title"), "calling AE title")
        _ = try r.take(32, "reserved")
        var applicationContext: String?, contexts: [Context] = [], info: UserInformation?
        while !r.isAtEnd {
            let (itemType, body) = try r.item(in: name)
            switch itemType {
            case ItemType.applicationContext: applicationContext = try uid(body, "application context name")
            case contextItemType: contexts.append(try decodeContext(body))
            case ItemType.userInformation: info = try userInformation(body)
            default: throw DICOMNetworkError.unexpectedItem(type: itemType, in: name)
            }
        }
        guard let applicationContext else { throw DICOMNetworkError.missingItem("application context item (0x10) in \(name)") }
        guard let info else { throw DICOMNetworkError.missingItem("user information item (0x50) in \(name)") }
        return AssociatePDU(protocolVersion: version, calledAETitle: called, callingAETitle: calling, applicationContext: applicationContext,
                            presentationContexts: contexts, userInformation: info)
    }

    /// 16 bytes, leading and trailing spaces not significant (PS3.8 §9.3.2); trailing NULs tolerated.
    private static func aeTitle(_ bytes: ArraySlice<UInt8>, _ field: String) throws -> String {
        guard bytes.allSatisfy({ $0 == 0 || (0x20...0x7E).contains($0) }) else {
            throw DICOMNetworkError.invalidValue(field: field, reason: "bytes outside ASCII")
        }
        let title = String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self).trimmingSpaces()
        guard !title.isEmpty else { throw DICOMNetworkError.invalidValue(field: field, reason: "all spaces") }
        return title
    }

    /// A UID item value; one trailing NUL or space (padding some peers send) is dropped.
    private static func uid(_ bytes: ArraySlice<UInt8>, _ field: String) throws -> String {
        var b = bytes
        if let last = b.last, last == 0 || last == 0x20 { b = b.dropLast() }
        guard !b.isEmpty, b.count <= 64, b.allSatisfy({ $0 == 0x2E || (0x30...0x39).contains($0) }) else {
            throw DICOMNetworkError.invalidValue(field: field, reason: "not a UID (digits and dots, 1-64 bytes)")
        }
        return String(decoding: b, as: UTF8.self)
    }

    private static func proposal(_ body: ArraySlice<UInt8>) throws -> PresentationContextProposal {
        var r = BigEndianReader(body)
        let id = try r.u8("presentation context ID")
        _ = try r.take(3, "presentation context reserved bytes")
        var abstract: String?, transfers: [String] = []
        while !r.isAtEnd {
            let (type, value) = try r.item(in: "presentation context \(id)")
            switch type {
            case ItemType.abstractSyntax:
                guard abstract == nil else { throw DICOMNetworkError.unexpectedItem(type: type, in: "presentation context \(id) (second abstract syntax)") }
                abstract = try uid(value, "abstract syntax of presentation context \(id)")
            case ItemType.transferSyntax:
                transfers.append(try uid(value, "transfer syntax of presentation context \(id)"))
            default:
                throw DICOMNetworkError.unexpectedItem(type: type, in: "presentation context \(id)")
            }
        }
        guard let abstract else { throw DICOMNetworkError.missingItem("abstract syntax (0x30) in presentation context \(id)") }
        guard !transfers.isEmpty else { throw DICOMNetworkError.missingItem("transfer syntax (0x40) in presentation context \(id)") }
        return PresentationContextProposal(id: id, abstractSyntax: abstract, transferSyntaxes: transfers)
    }

    private static func result(_ body: ArraySlice<UInt8>) throws -> PresentationContextResult {
        var r = BigEndianReader(body)
        let id = try r.u8("presentation context ID")
        _ = try r.u8("reserved")
        let code = try r.u8("presentation context result")
        _ = try r.u8("reserved")
        guard let result = PresentationContextResult.Result(rawValue: code) else {
            throw DICOMNetworkError.invalidValue(field: "result of presentation context \(id)", reason: "\(code) is not 0-4")
        }
        let (type, value) = try r.item(in: "presentation context \(id)")
        guard type == ItemType.transferSyntax else { throw DICOMNetworkError.unexpectedItem(type: type, in: "presentation context \(id) result") }
        // Not significant unless accepted (PS3.8 §9.3.3.2): some peers send it empty then.
        let transfer = result == .acceptance || !value.isEmpty ? try uid(value, "transfer syntax of presentation context \(id)") : ""
        guard r.isAtEnd else { throw DICOMNetworkError.invalidValue(field: "presentation context \(id) result", reason: "\(r.remaining) bytes after its transfer syntax") }
        return PresentationContextResult(id: id, result: result, transferSyntax: transfer)
    }

    private static func userInformation(_ body: ArraySlice<UInt8>) throws -> UserInformation {
        var r = BigEndianReader(body)
        var items: [UserInformation.Item] = []
        while !r.isAtEnd {
            let (type, value) = try r.item(in: "user information")
            switch type {
            case ItemType.maximumLength:
                guard value.count == 4 else {
                    throw DICOMNetworkError.invalidValue(field: "maximum length sub-item", reason: "\(value.count) bytes, not 4")
                }
                var v = BigEndianReader(value)
                items.append(.maximumLength(try v.u32("maximum length")))
            case ItemType.implementationClassUID:
                items.append(.implementationClassUID(try uid(value, "implementation class UID")))
            case ItemType.implementationVersionName:
                guard (1...16).contains(value.count), value.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                    throw DICOMNetworkError.invalidValue(field: "implementation version name", reason: "not 1-16 ASCII characters")
                }
                items.append(.implementationVersionName(String(decoding: value, as: UTF8.self)))
            default:
                items.append(.other(type: type, value: Array(value)))
            }
        }
        return UserInformation(items: items)
    }
}

extension String {
    /// Without leading and trailing spaces (U+0020 only).
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
