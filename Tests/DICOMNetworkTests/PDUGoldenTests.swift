import DICOMNetwork
import Foundation
import TestSupport
import Testing

/// Parity with pynetdicom 3.0.4: PDUs its own PDU classes encoded (tools/fixtures/dicomnet_golden.py →
/// Tests/Fixtures/dicomnet/pdus.json) decode to their recorded meaning, and that meaning encodes
/// to the same bytes.
struct PDUGoldenTests {
    struct Golden: Decodable {
        let versions: [String: String]
        let cases: [Case]
    }

    struct Case: Decodable {
        let name: String
        let pdu: String
        let hex: String
        let meaning: Meaning
    }

    /// The union of the meaning fields of every PDU type (absent ones nil).
    struct Meaning: Decodable {
        struct Context: Decodable {
            let id: UInt8
            let abstract_syntax: String?
            let transfer_syntaxes: [String]?
            let result: UInt8?
            let transfer_syntax: String?
        }
        struct UserItem: Decodable {
            let type: UInt8
            let maximum_length: UInt32?
            let uid: String?
            let name: String?
            let hex: String?
        }
        struct PDV: Decodable {
            let context_id: UInt8
            let is_command: Bool
            let is_last: Bool
            let hex: String
        }
        struct Command: Decodable {
            let AffectedSOPClassUID: String
            let CommandField: UInt16
            let MessageID: UInt16?
            let MessageIDBeingRespondedTo: UInt16?
            let Priority: UInt16?
            let CommandDataSetType: UInt16
            let Status: UInt16?
            let AffectedSOPInstanceUID: String?
        }
        let protocol_version: UInt16?
        let called_ae: String?
        let calling_ae: String?
        let application_context: String?
        let presentation_contexts: [Context]?
        let user_information: [UserItem]?
        let result: UInt8?
        let source: UInt8?
        let reason: UInt8?
        let pdvs: [PDV]?
        let command: Command?
    }

    static let golden: Golden = {
        do { return try Fixtures.json(Golden.self, "dicomnet/pdus.json") } catch { fatalError("dicomnet/pdus.json: \(error)") }
    }()

    @Test func versionsArePinned() {
        #expect(Self.golden.versions["pynetdicom"] == "3.0.4")
        #expect(Self.golden.cases.count >= 19)
    }

    @Test(arguments: golden.cases.map(\.name))
    func decodesAndReencodesByteForByte(_ name: String) throws {
        let c = try #require(Self.golden.cases.first { $0.name == name })
        let bytes = try #require(Self.bytes(c.hex))
        let expected = try Self.pdu(c)
        #expect(try PDU.decode(bytes) == expected, "\(name)")
        #expect(try expected.encoded() == bytes, "\(name)")
        #expect(try PDUReader(maximumDataLength: 16382).frameLength(bytes) == bytes.count)
    }

    /// The command sets pynetdicom's DIMSE classes wrote decode to the recorded fields and re-encode identically.
    @Test func commandSetsMatchPynetdicom() throws {
        var checked = 0
        for c in Self.golden.cases {
            guard let command = c.meaning.command, let pdvs = c.meaning.pdvs, let first = pdvs.first, first.is_command, first.is_last else { continue }
            let bytes = try #require(Self.bytes(first.hex))
            let decoded = try DIMSECommand.decode(bytes)
            #expect(decoded.field.rawValue == command.CommandField, "\(c.name)")
            #expect(decoded.affectedSOPClassUID == command.AffectedSOPClassUID)
            #expect(decoded.messageID == command.MessageID)
            #expect(decoded.messageIDBeingRespondedTo == command.MessageIDBeingRespondedTo)
            #expect(decoded.priority == command.Priority)
            #expect(decoded.dataSetType == command.CommandDataSetType)
            #expect(decoded.status == command.Status)
            #expect(decoded.affectedSOPInstanceUID == command.AffectedSOPInstanceUID)
            #expect(try decoded.encoded() == bytes, "\(c.name)")
            checked += 1
        }
        #expect(checked == 4)
    }

    /// Our constructors make the same command sets as pynetdicom's for C-ECHO-RQ/RSP and C-STORE-RSP.
    @Test func constructedCommandsMatchPynetdicom() throws {
        func commandBytes(_ name: String) throws -> [UInt8] {
            let c = try #require(Self.golden.cases.first { $0.name == name })
            let pdv = try #require(c.meaning.pdvs?.first)
            return try #require(Self.bytes(pdv.hex))
        }
        let echo = DIMSECommand.echoRequest(messageID: 7)
        #expect(try echo.encoded() == commandBytes("c-echo-rq"))
        #expect(try DIMSECommand.echoResponse(to: echo, status: 0).encoded() == commandBytes("c-echo-rsp"))
        var store = DIMSECommand.storeRequest(messageID: 12, sopClassUID: "1.2.840.10008.5.1.4.1.1.1",
                                              sopInstanceUID: "1.2.826.0.1.3680043.8.498.1", priority: 2)
        store.dataSetType = 0x0001
        #expect(try DIMSECommand.storeResponse(to: store, status: 0).encoded() == commandBytes("c-store-rsp"))
    }

    /// The fragmented C-STORE-RQ pynetdicom split over 256-byte PDUs reassembles to one message
    /// whose fragments we split the same way.
    @Test func fragmentedStoreReassembles() throws {
        let parts = Self.golden.cases.filter { $0.name.hasPrefix("c-store-rq-fragmented#") }
        #expect(parts.count > 2)
        var assembler = DIMSEMessageAssembler(maximumMessageLength: 1 << 20)
        var result: (DIMSECommand, DIMSEMessage)?
        var pdus: [[UInt8]] = []
        for part in parts {
            let bytes = try #require(Self.bytes(part.hex))
            pdus.append(bytes)
            guard case .dataTransfer(let pdvs) = try PDU.decode(bytes) else { Issue.record("\(part.name) is not P-DATA-TF"); return }
            for pdv in pdvs { if let done = try assembler.append(pdv) { result = done } }
        }
        let (command, message) = try #require(result)
        #expect(command.field == .storeRequest)
        #expect(command.affectedSOPInstanceUID == "1.2.826.0.1.3680043.8.498.1")
        #expect(message.contextID == 3)
        #expect(message.dataSet?.count ?? 0 > 512)
        #expect(try message.dataTransferPDUs(maximumPDULength: 256).map { try $0.encoded() } == pdus)
    }

    static func bytes(_ hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16) }
            .reduce(into: [UInt8]?([])) { out, b in if let b { out?.append(b) } else { out = nil } }
    }

    /// The PDU the meaning describes.
    static func pdu(_ c: Case) throws -> PDU {
        let m = c.meaning
        func need<T>(_ value: T?) throws -> T {
            guard let value else { throw MissingField(caseName: c.name) }
            return value
        }
        func info() throws -> UserInformation {
            UserInformation(items: try (m.user_information ?? []).map { item in
                switch item.type {
                case 0x51: .maximumLength(try need(item.maximum_length))
                case 0x52: .implementationClassUID(try need(item.uid))
                case 0x55: .implementationVersionName(try need(item.name))
                default: .other(type: item.type, value: try need(bytes(try need(item.hex))))
                }
            })
        }
        switch c.pdu {
        case "A-ASSOCIATE-RQ":
            return .associateRequest(AssociateRequest(
                protocolVersion: try need(m.protocol_version), calledAETitle: try need(m.called_ae),
                callingAETitle: try need(m.calling_ae), applicationContext: try need(m.application_context),
                presentationContexts: try (m.presentation_contexts ?? []).map {
                    PresentationContextProposal(id: $0.id, abstractSyntax: try need($0.abstract_syntax),
                                                transferSyntaxes: try need($0.transfer_syntaxes))
                },
                userInformation: try info()))
        case "A-ASSOCIATE-AC":
            return .associateAccept(AssociateAccept(
                protocolVersion: try need(m.protocol_version), calledAETitle: try need(m.called_ae),
                callingAETitle: try need(m.calling_ae), applicationContext: try need(m.application_context),
                presentationContexts: try (m.presentation_contexts ?? []).map {
                    PresentationContextResult(id: $0.id, result: try need(PresentationContextResult.Result(rawValue: try need($0.result))),
                                              transferSyntax: try need($0.transfer_syntax))
                },
                userInformation: try info()))
        case "A-ASSOCIATE-RJ":
            return .associateReject(AssociateReject(
                result: try need(AssociateReject.Result(rawValue: try need(m.result))),
                reason: try need(AssociateReject.Reason(source: try need(m.source), code: try need(m.reason)))))
        case "P-DATA-TF":
            return .dataTransfer(try (m.pdvs ?? []).map {
                PresentationDataValue(contextID: $0.context_id, isCommand: $0.is_command, isLastFragment: $0.is_last,
                                      fragment: try need(bytes($0.hex)))
            })
        case "A-RELEASE-RQ": return .releaseRequest
        case "A-RELEASE-RP": return .releaseResponse
        case "A-ABORT":
            return .abort(Abort(source: try need(Abort.Source(rawValue: try need(m.source))),
                                reason: try need(AbortReason(rawValue: try need(m.reason)))))
        default:
            Issue.record("unknown PDU kind \(c.pdu)")
            return .releaseRequest
        }
    }

    struct MissingField: Error { let caseName: String }
}
