import DICOMNetwork
import Testing

/// Hand-checked byte layouts (PS3.8 §9.3), round trips, and malformed input giving typed errors.
struct PDUCodecTests {
    static func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func padded(_ s: String) -> [UInt8] { ascii(s) + [UInt8](repeating: 0x20, count: 16 - s.utf8.count) }

    /// OURAE ← SCU, one Verification context on Implicit VR Little Endian, max length 16384, class UID 1.2.3.
    static let request = AssociateRequest(
        calledAETitle: "OURAE", callingAETitle: "SCU",
        presentationContexts: [PresentationContextProposal(id: 1, abstractSyntax: WellKnownUID.verificationSOPClass,
                                                           transferSyntaxes: [WellKnownUID.implicitVRLittleEndian])],
        userInformation: UserInformation(items: [.maximumLength(16384), .implementationClassUID("1.2.3")]))

    /// The request's bytes, written out field by field.
    static let requestBytes: [UInt8] = {
        var b: [UInt8] = [0x01, 0x00, 0x00, 0x00, 0x00, 0xA4]              // type 1, length 164
        b += [0x00, 0x01, 0x00, 0x00] + padded("OURAE") + padded("SCU") + [UInt8](repeating: 0, count: 32)
        b += [0x10, 0x00, 0x00, 0x15] + ascii("1.2.840.10008.3.1.1.1")   // application context, 21 bytes
        b += [0x20, 0x00, 0x00, 0x2E, 0x01, 0x00, 0x00, 0x00]             // presentation context 1, 46 bytes
        b += [0x30, 0x00, 0x00, 0x11] + ascii("1.2.840.10008.1.1")       // abstract syntax, 17 bytes
        b += [0x40, 0x00, 0x00, 0x11] + ascii("1.2.840.10008.1.2")       // transfer syntax, 17 bytes
        b += [0x50, 0x00, 0x00, 0x11]                                     // user information, 17 bytes
        b += [0x51, 0x00, 0x00, 0x04, 0x00, 0x00, 0x40, 0x00]             // maximum length 16384
        b += [0x52, 0x00, 0x00, 0x05] + ascii("1.2.3")
        return b
    }()

    @Test func associateRequestLayout() throws {
        #expect(try PDU.associateRequest(Self.request).encoded() == Self.requestBytes)
        #expect(try PDU.decode(Self.requestBytes) == .associateRequest(Self.request))
    }

    @Test func associateAcceptLayout() throws {
        let ac = AssociateAccept(
            calledAETitle: "OURAE", callingAETitle: "SCU",
            presentationContexts: [PresentationContextResult(id: 1, result: .acceptance, transferSyntax: "1.2.840.10008.1.2"),
                                   PresentationContextResult(id: 3, result: .abstractSyntaxNotSupported, transferSyntax: "1.2.840.10008.1.2")],
            userInformation: UserInformation(maximumLength: 65536, implementationClassUID: "1.2.3", implementationVersionName: "V1"))
        var b: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0xB2]               // type 2, length 178
        b += [0x00, 0x01, 0x00, 0x00] + Self.padded("OURAE") + Self.padded("SCU") + [UInt8](repeating: 0, count: 32)
        b += [0x10, 0x00, 0x00, 0x15] + Self.ascii("1.2.840.10008.3.1.1.1")
        b += [0x21, 0x00, 0x00, 0x19, 0x01, 0x00, 0x00, 0x00]              // context 1, result 0, 25 bytes
        b += [0x40, 0x00, 0x00, 0x11] + Self.ascii("1.2.840.10008.1.2")
        b += [0x21, 0x00, 0x00, 0x19, 0x03, 0x00, 0x03, 0x00]              // context 3, result 3
        b += [0x40, 0x00, 0x00, 0x11] + Self.ascii("1.2.840.10008.1.2")
        b += [0x50, 0x00, 0x00, 0x17]                                      // user information, 23 bytes
        b += [0x51, 0x00, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00]              // maximum length 65536
        b += [0x52, 0x00, 0x00, 0x05] + Self.ascii("1.2.3")
        b += [0x55, 0x00, 0x00, 0x02] + Self.ascii("V1")
        #expect(try PDU.associateAccept(ac).encoded() == b)
        #expect(try PDU.decode(b) == .associateAccept(ac))
    }

    @Test func fixedSizePDULayouts() throws {
        let cases: [(PDU, [UInt8])] = [
            (.associateReject(AssociateReject(result: .rejectedPermanent, reason: .serviceUser(.calledAETitleNotRecognized))),
             [0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x01, 0x07]),
            (.associateReject(AssociateReject(result: .rejectedTransient, reason: .serviceProviderPresentation(.localLimitExceeded))),
             [0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0x03, 0x02]),
            (.releaseRequest, [0x05, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00]),
            (.releaseResponse, [0x06, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00]),
            (.abort(Abort(source: .serviceProvider, reason: .invalidPDUParameterValue)),
             [0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x06]),
        ]
        for (pdu, bytes) in cases {
            #expect(try pdu.encoded() == bytes)
            #expect(try PDU.decode(bytes) == pdu)
        }
    }

    @Test func dataTransferLayout() throws {
        let pdu = PDU.dataTransfer([
            PresentationDataValue(contextID: 1, isCommand: true, isLastFragment: true, fragment: [0xAA, 0xBB]),
            PresentationDataValue(contextID: 1, isCommand: false, isLastFragment: false, fragment: [0xCC]),
        ])
        let bytes: [UInt8] = [0x04, 0x00, 0x00, 0x00, 0x00, 0x0F,          // type 4, length 15
                              0x00, 0x00, 0x00, 0x04, 0x01, 0x03, 0xAA, 0xBB, // PDV length 4, context 1, command+last
                              0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0xCC]       // PDV length 3, data, not last
        #expect(try pdu.encoded() == bytes)
        #expect(try PDU.decode(bytes) == pdu)
    }

    @Test func userInformationKeepsUnknownSubItemsInOrder() throws {
        var rq = Self.request
        rq.userInformation = UserInformation(items: [
            .maximumLength(0), .implementationClassUID("1.2.3"), .other(type: 0x54, value: [0, 3, 0x31, 0x2E, 0x32, 1, 0]),
            .implementationVersionName("X"), .other(type: 0x58, value: [1, 0, 0, 0, 1, 0x41, 0, 0]),
        ])
        let bytes = try PDU.associateRequest(rq).encoded()
        #expect(try PDU.decode(bytes) == .associateRequest(rq))
        #expect(rq.userInformation.maximumLength == nil)  // 0 means no limit
    }

    // MARK: malformed input

    @Test func truncatedPDU() throws {
        let cut = Array(Self.requestBytes.dropLast())
        #expect(throws: DICOMNetworkError.truncated(what: "PDU type 0x01 (declared length 164)", needed: 164, remaining: 163)) {
            try PDU.decode(cut)
        }
        #expect(try PDUReader(maximumDataLength: 16384).frameLength(Self.requestBytes.prefix(5)) == nil)
        #expect(try PDUReader(maximumDataLength: 16384).frameLength(Self.requestBytes.prefix(6)) == 170)
    }

    @Test func wrongItemLengths() throws {
        // Presentation context item (offset 99: 6 + 68 + 25) claims one byte more, then one less, than it holds.
        var longer = Self.requestBytes
        longer[102] = 0x2F
        #expect(throws: DICOMNetworkError.self) { try PDU.decode(longer) }
        do { _ = try PDU.decode(longer) } catch let error as DICOMNetworkError {
            guard case .truncated = error else { Issue.record("expected truncated, got \(error)"); return }
        }
        var shorter = Self.requestBytes
        shorter[102] = 0x2D
        #expect(throws: DICOMNetworkError.truncated(what: "item 0x40 in presentation context 1 (declared length 17)", needed: 17, remaining: 16)) {
            try PDU.decode(shorter)
        }
        // A PDV item length below 2 (no room for context ID and control header).
        #expect(throws: DICOMNetworkError.invalidValue(field: "PDV item length", reason: "1 is below the 2 bytes of context ID and control header")) {
            try PDU.decode([0x04, 0, 0, 0, 0, 5, 0, 0, 0, 1, 1])
        }
    }

    @Test func unknownPDUType() throws {
        let bytes: [UInt8] = [0x08, 0, 0, 0, 0, 4, 0, 0, 0, 0]
        #expect(throws: DICOMNetworkError.unknownPDUType(0x08)) { try PDU.decode(bytes) }
        #expect(throws: DICOMNetworkError.unknownPDUType(0x08)) { try PDUReader(maximumDataLength: 16384).frameLength(bytes) }
    }

    @Test func pduOverTheMaximum() throws {
        let reader = PDUReader(maximumDataLength: 16384)
        // P-DATA-TF of 16385 bytes, refused from its header.
        #expect(throws: DICOMNetworkError.pduTooLong(type: 0x04, length: 16385, maximum: 16384)) {
            try reader.frameLength([0x04, 0, 0x00, 0x00, 0x40, 0x01])
        }
        #expect(throws: DICOMNetworkError.pduTooLong(type: 0x01, length: 0xFFFF_FFFF, maximum: 65536)) {
            try reader.frameLength([0x01, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        }
        #expect(throws: DICOMNetworkError.invalidPDULength(type: 0x05, length: 5, expected: 4)) {
            try reader.frameLength([0x05, 0, 0, 0, 0, 5])
        }
    }

    @Test func invalidFieldValues() throws {
        #expect(throws: DICOMNetworkError.invalidValue(field: "A-ASSOCIATE-RJ source/reason", reason: "source 1 reason 4 is reserved")) {
            try PDU.decode([0x03, 0, 0, 0, 0, 4, 0, 1, 1, 4])
        }
        #expect(throws: DICOMNetworkError.invalidValue(field: "A-ABORT reason", reason: "3 is not 0-2 or 4-6")) {
            try PDU.decode([0x07, 0, 0, 0, 0, 4, 0, 0, 2, 3])
        }
        var rq = Self.request
        rq.calledAETitle = "NAME-LONGER-THAN-16"
        #expect(throws: DICOMNetworkError.self) { try PDU.associateRequest(rq).encoded() }
    }

    /// Random bytes and random corruptions of valid PDUs: decoding throws or succeeds, never traps.
    @Test func hostileBytesNeverTrap() throws {
        var rng = SplitMix64(seed: 0x5EED)
        let valid = [Self.requestBytes, try PDU.dataTransfer([PresentationDataValue(contextID: 1, isCommand: true, isLastFragment: true,
                                                                                     fragment: [1, 2, 3])]).encoded()]
        var decoded = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if bytes.count >= 6 { bytes[0] = UInt8(1 + rng.next() % 7) }
            } else {
                bytes = valid[Int(rng.next() % 2)]
                for _ in 0..<(1 + rng.next() % 4) { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            if (try? PDU.decode(bytes)) != nil { decoded += 1 }
        }
        #expect(decoded > 0)  // some corruptions only touch values
    }
}

/// A small seeded generator (SplitMix64) so hostile-input rounds repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
