import DICOMNetwork
import Testing

/// Acceptor negotiation (PS3.8 Table 9-21 and §9.3.3.2), the association state machine, PDV
/// reassembly and DIMSE command sets, without a transport.
struct AssociationTests {
    static let configuration = AcceptorConfiguration(aeTitle: "OURAE", maximumPDULength: 16384, maximumMessageLength: 4096)
    static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"

    static func request(called: String = "OURAE", contexts: [PresentationContextProposal]? = nil) -> AssociateRequest {
        AssociateRequest(
            calledAETitle: called, callingAETitle: "SCU",
            presentationContexts: contexts ?? [PresentationContextProposal(id: 1, abstractSyntax: WellKnownUID.verificationSOPClass,
                                                                           transferSyntaxes: [WellKnownUID.implicitVRLittleEndian])],
            userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.3", implementationVersionName: nil))
    }

    static func rejection(_ rq: AssociateRequest, atCapacity: Bool = false) -> AssociateReject? {
        if case .rejected(let rj) = AssociationNegotiation.negotiate(rq, configuration: configuration, atCapacity: atCapacity) { return rj }
        return nil
    }

    @Test func rejectReasonsFollowTable9_21() {
        #expect(Self.rejection(Self.request(called: "OTHER")) ==
            AssociateReject(result: .rejectedPermanent, reason: .serviceUser(.calledAETitleNotRecognized)))
        var badContext = Self.request()
        badContext.applicationContext = "1.2.3.4"
        #expect(Self.rejection(badContext) ==
            AssociateReject(result: .rejectedPermanent, reason: .serviceUser(.applicationContextNameNotSupported)))
        var version2 = Self.request()
        version2.protocolVersion = 2
        #expect(Self.rejection(version2) ==
            AssociateReject(result: .rejectedPermanent, reason: .serviceProviderACSE(.protocolVersionNotSupported)))
        #expect(Self.rejection(Self.request(), atCapacity: true) ==
            AssociateReject(result: .rejectedTransient, reason: .serviceProviderPresentation(.localLimitExceeded)))
        #expect(Self.rejection(Self.request()) == nil)
    }

    @Test func presentationContextsAnsweredOneByOne() throws {
        let rq = Self.request(contexts: [
            PresentationContextProposal(id: 1, abstractSyntax: WellKnownUID.verificationSOPClass,
                                        transferSyntaxes: ["1.2.840.10008.1.2.4.50", WellKnownUID.explicitVRLittleEndian]),
            PresentationContextProposal(id: 3, abstractSyntax: Self.ctImageStorage, transferSyntaxes: [WellKnownUID.implicitVRLittleEndian]),
            PresentationContextProposal(id: 5, abstractSyntax: WellKnownUID.verificationSOPClass, transferSyntaxes: ["1.2.840.10008.1.2.4.50"]),
            PresentationContextProposal(id: 6, abstractSyntax: WellKnownUID.verificationSOPClass, transferSyntaxes: [WellKnownUID.implicitVRLittleEndian]),
            PresentationContextProposal(id: 7, abstractSyntax: WellKnownUID.verificationSOPClass,
                                        transferSyntaxes: [WellKnownUID.explicitVRLittleEndian, WellKnownUID.implicitVRLittleEndian]),
        ])
        guard case .accepted(let ac, let contexts) = AssociationNegotiation.negotiate(rq, configuration: Self.configuration, atCapacity: false) else {
            Issue.record("rejected"); return
        }
        #expect(ac.presentationContexts.map(\.id) == [1, 3, 5, 6, 7])
        #expect(ac.presentationContexts.map(\.result) == [.acceptance, .abstractSyntaxNotSupported, .transferSyntaxesNotSupported, .noReason, .acceptance])
        #expect(ac.presentationContexts[0].transferSyntax == WellKnownUID.explicitVRLittleEndian)
        #expect(ac.presentationContexts[4].transferSyntax == WellKnownUID.implicitVRLittleEndian)  // our preference
        #expect(contexts.keys.sorted() == [1, 7])
        #expect(ac.calledAETitle == "OURAE" && ac.callingAETitle == "SCU")
        #expect(ac.userInformation.maximumLength == 16384)
        #expect(ac.userInformation.implementationClassUID == AcceptorConfiguration.suiteImplementationClassUID)
    }

    @Test func echoReleaseFlow() throws {
        var association = AcceptorAssociation(configuration: Self.configuration, atCapacity: false)
        let accepted = association.receive(.associateRequest(Self.request()))
        guard case .send(.associateAccept) = accepted.first else { Issue.record("\(accepted)"); return }
        #expect(association.state == .established)
        let echo = DIMSEMessage(contextID: 1, command: try DIMSECommand.echoRequest(messageID: 42).encoded())
        var responses: [AcceptorAssociation.Action] = []
        for pdu in echo.dataTransferPDUs(maximumPDULength: 40) { responses += association.receive(pdu) }
        var assembler = DIMSEMessageAssembler(maximumMessageLength: 4096)
        var answered: DIMSECommand?
        for case .send(.dataTransfer(let pdvs)) in responses {
            for pdv in pdvs { if case let (command, _)? = try assembler.append(pdv) { answered = command } }
        }
        #expect(answered == .echoResponse(to: .echoRequest(messageID: 42), status: DIMSECommand.success))
        #expect(association.receive(.releaseRequest) == [.send(.releaseResponse), .awaitPeerClose])
        #expect(association.state == .closing)
    }

    @Test func protocolViolationsAbort() throws {
        let abortAndClose = { (reason: AbortReason) -> [AcceptorAssociation.Action] in
            [.send(.abort(Abort(source: .serviceProvider, reason: reason))), .close]
        }
        var early = AcceptorAssociation(configuration: Self.configuration, atCapacity: false)
        #expect(early.receive(.releaseRequest) == abortAndClose(.unexpectedPDU))

        var established = AcceptorAssociation(configuration: Self.configuration, atCapacity: false)
        _ = established.receive(.associateRequest(Self.request()))
        let otherContext = PDU.dataTransfer([PresentationDataValue(contextID: 3, isCommand: true, isLastFragment: true, fragment: [0])])
        #expect(established.receive(otherContext) == abortAndClose(.invalidPDUParameterValue))

        var storing = AcceptorAssociation(configuration: Self.configuration, atCapacity: false)
        _ = storing.receive(.associateRequest(Self.request()))
        let store = DIMSEMessage(contextID: 1, command: try DIMSECommand.storeRequest(messageID: 1, sopClassUID: Self.ctImageStorage,
                                                                                       sopInstanceUID: "1.2.3").encoded(), dataSet: [0, 0])
        #expect(store.dataTransferPDUs(maximumPDULength: 16384).flatMap { storing.receive($0) } == abortAndClose(.reasonNotSpecified))

        var aborted = AcceptorAssociation(configuration: Self.configuration, atCapacity: false)
        _ = aborted.receive(.associateRequest(Self.request()))
        #expect(aborted.receive(.abort(Abort(source: .serviceUser, reason: .reasonNotSpecified))) == [.close])

        var rejected = AcceptorAssociation(configuration: Self.configuration, atCapacity: true)
        #expect(rejected.receive(.associateRequest(Self.request())) == [
            .send(.associateReject(AssociateReject(result: .rejectedTransient, reason: .serviceProviderPresentation(.localLimitExceeded)))),
            .awaitPeerClose,
        ])
    }

    @Test func reassemblyOrderAndBounds() throws {
        let command = try DIMSECommand.storeRequest(messageID: 3, sopClassUID: Self.ctImageStorage, sopInstanceUID: "1.2.3").encoded()
        var assembler = DIMSEMessageAssembler(maximumMessageLength: 4096)
        #expect(throws: DICOMNetworkError.fragmentOrder("a data set fragment before the command is complete")) {
            try assembler.append(PresentationDataValue(contextID: 1, isCommand: false, isLastFragment: true, fragment: [1]))
        }
        assembler = DIMSEMessageAssembler(maximumMessageLength: 4096)
        #expect(try assembler.append(PresentationDataValue(contextID: 1, isCommand: true, isLastFragment: false, fragment: Array(command[..<10]))) == nil)
        #expect(throws: DICOMNetworkError.fragmentOrder("context 3 while a message on context 1 is incomplete")) {
            try assembler.append(PresentationDataValue(contextID: 3, isCommand: true, isLastFragment: true, fragment: Array(command[10...])))
        }
        assembler = DIMSEMessageAssembler(maximumMessageLength: command.count + 100)
        #expect(try assembler.append(PresentationDataValue(contextID: 1, isCommand: true, isLastFragment: true, fragment: command)) == nil)
        #expect(throws: DICOMNetworkError.messageTooLarge(bytes: command.count + 101, maximum: command.count + 100)) {
            try assembler.append(PresentationDataValue(contextID: 1, isCommand: false, isLastFragment: false, fragment: [UInt8](repeating: 0, count: 101)))
        }
    }

    @Test func invalidCommandSets() throws {
        #expect(throws: DICOMNetworkError.self) { try DIMSECommand.decode([0x00, 0x00, 0x00]) }
        // C-ECHO-RQ without MessageID: drop (0000,0110) from a valid one.
        var echo = DIMSECommand.echoRequest(messageID: 1)
        echo.messageID = nil
        #expect(throws: DICOMNetworkError.invalidCommand("missing MessageID (0000,0110)")) {
            try DIMSECommand.decode(try echo.encoded())
        }
        var unknown = DIMSECommand.echoRequest(messageID: 1)
        unknown.field = .storeResponse
        unknown.status = 0
        unknown.messageIDBeingRespondedTo = 1
        let bytes = try unknown.encoded()
        // CommandField value bytes follow its tag (00 00 00 01) and length (02 00 00 00); make it 0x0FFF.
        let at = try #require((0..<bytes.count - 8).first { bytes[$0..<$0 + 8].elementsEqual([0, 0, 0, 1, 2, 0, 0, 0]) }) + 8
        var patched = bytes
        patched[at] = 0xFF; patched[at + 1] = 0x0F
        #expect(throws: DICOMNetworkError.invalidCommand("CommandField 0xfff is not C-ECHO or C-STORE")) { try DIMSECommand.decode(patched) }
    }
}
