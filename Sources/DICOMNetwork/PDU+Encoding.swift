extension PDU {
    /// The PDU's bytes: 6-byte header (type, reserved 0, 4-byte big-endian length of the rest) and body.
    /// Throws `invalidValue` for an AE title or UID that cannot be written (too long, not ASCII).
    public func encoded() throws -> [UInt8] {
        var body = BigEndianWriter()
        switch self {
        case .associateRequest(let rq):
            try Self.writeAssociation(&body, rq, contextItemType: ItemType.presentationContextRequest) { pc, item in
                item.u8(pc.id); item.zeros(3)
                try item.item(ItemType.abstractSyntax, Self.uid(pc.abstractSyntax, "abstract syntax"))
                for ts in pc.transferSyntaxes { try item.item(ItemType.transferSyntax, Self.uid(ts, "transfer syntax")) }
            }
        case .associateAccept(let ac):
            try Self.writeAssociation(&body, ac, contextItemType: ItemType.presentationContextAccept) { pc, item in
                item.u8(pc.id); item.u8(0); item.u8(pc.result.rawValue); item.u8(0)
                try item.item(ItemType.transferSyntax, Self.uid(pc.transferSyntax, "transfer syntax"))
            }
        case .associateReject(let rj):
            body.u8(0); body.u8(rj.result.rawValue); body.u8(rj.reason.source); body.u8(rj.reason.code)
        case .dataTransfer(let pdvs):
            for pdv in pdvs {
                body.u32(UInt32(pdv.fragment.count + 2))
                body.u8(pdv.contextID); body.u8(pdv.controlHeader)
                body.append(pdv.fragment)
            }
        case .releaseRequest, .releaseResponse:
            body.zeros(4)
        case .abort(let a):
            body.zeros(2); body.u8(a.source.rawValue); body.u8(a.reason.rawValue)
        }
        guard body.bytes.count <= Int(UInt32.max) else {
            throw DICOMNetworkError.pduTooLong(type: type, length: body.bytes.count, maximum: Int(UInt32.max))
        }
        var out = BigEndianWriter()
        out.u8(type); out.u8(0); out.u32(UInt32(body.bytes.count)); out.append(body.bytes)
        return out.bytes
    }

    /// Protocol version, 2 reserved bytes, the two AE titles (16 bytes each), 32 reserved bytes, then
    /// the application context item, one presentation context item (`contextItemType`, its body
    /// written by `writeContext`) per context, and the user information item.
    private static func writeAssociation<Context>(_ w: inout BigEndianWriter, _ pdu: AssociatePDU<Context>, contextItemType: UInt8,
                                                  writeContext: (Context, inout BigEndianWriter) throws -> Void) throws {
        w.u16(pdu.protocolVersion); w.zeros(2)
        w.append(try aeTitle(pdu.calledAETitle, "called AE title"))
        w.append(try aeTitle(pdu.callingAETitle, "calling AE title"))
        w.zeros(32)
        try w.item(ItemType.applicationContext, uid(pdu.applicationContext, "application context name"))
        for context in pdu.presentationContexts {
            var item = BigEndianWriter()
            try writeContext(context, &item)
            try w.item(contextItemType, item.bytes)
        }
        try w.item(ItemType.userInformation, encode(pdu.userInformation))
    }

    /// 1–16 ASCII graphic characters or spaces, no backslash, padded with spaces to 16 bytes (PS3.5 AE).
    static func aeTitle(_ title: String, _ field: String) throws -> [UInt8] {
        let bytes = Array(title.utf8)
        guard AETitle.isWritable(title) else {
            throw DICOMNetworkError.invalidValue(field: field, reason: "\"\(title)\" is not 1-16 ASCII characters without backslash")
        }
        return bytes + [UInt8](repeating: 0x20, count: 16 - bytes.count)
    }

    /// A UID as ASCII digits and dots, at most 64 bytes, not padded.
    static func uid(_ uid: String, _ field: String) throws -> [UInt8] {
        let bytes = Array(uid.utf8)
        guard !bytes.isEmpty, bytes.count <= 64, bytes.allSatisfy({ $0 == 0x2E || (0x30...0x39).contains($0) }) else {
            throw DICOMNetworkError.invalidValue(field: field, reason: "\"\(uid)\" is not a UID (digits and dots, 1-64 bytes)")
        }
        return bytes
    }

    private static func encode(_ info: UserInformation) throws -> [UInt8] {
        var w = BigEndianWriter()
        for item in info.items {
            switch item {
            case .maximumLength(let n):
                var v = BigEndianWriter(); v.u32(n)
                try w.item(ItemType.maximumLength, v.bytes)
            case .implementationClassUID(let uid):
                try w.item(ItemType.implementationClassUID, Self.uid(uid, "implementation class UID"))
            case .implementationVersionName(let name):
                let bytes = Array(name.utf8)
                guard (1...16).contains(bytes.count), bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                    throw DICOMNetworkError.invalidValue(field: "implementation version name", reason: "\"\(name)\" is not 1-16 ASCII characters")
                }
                try w.item(ItemType.implementationVersionName, bytes)
            case .other(let type, let value):
                try w.item(type, value)
            }
        }
        return w.bytes
    }
}
