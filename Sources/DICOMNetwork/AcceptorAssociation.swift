/// The acceptor side of one association (PS3.8 §9.2 state machine, reduced to what an SCP does),
/// transport-free: each received PDU or error yields the actions the transport carries out.
/// Serves C-ECHO on accepted Verification contexts and C-STORE on accepted storage contexts: a
/// C-STORE-RQ yields `.store`, and the transport answers it with `storeCompleted` once the
/// instance is stored. Any other DIMSE request aborts the association.
public struct AcceptorAssociation: Sendable {
    public enum Action: Equatable, Sendable {
        case send(PDU)
        /// Store this instance, then call `storeCompleted` with the outcome (the C-STORE-RSP is
        /// sent only then, so a success means stored).
        case store(ReceivedInstance)
        /// Close the connection once what was sent has been written.
        case close
        /// Wait for the peer to close the connection (after A-ASSOCIATE-RJ or A-RELEASE-RP), at
        /// most the ARTIM timeout, then close it.
        case awaitPeerClose
    }

    package enum State: Equatable, Sendable {
        /// Sta2: connection open, waiting for the A-ASSOCIATE-RQ (ARTIM running).
        case awaitingAssociateRequest
        /// Sta6: established.
        case established
        /// Sta13: RJ or RP sent, or aborted; waiting for the connection to close.
        case closing
    }

    package private(set) var state: State = .awaitingAssociateRequest
    /// Why this side aborted the association, once it has.
    public private(set) var failure: DICOMNetworkError?
    private let configuration: AcceptorConfiguration
    private let atCapacity: Bool
    private var contexts: [UInt8: AcceptedPresentationContext] = [:]
    private var peerMaximumPDULength: Int
    private var callingAETitle = "", calledAETitle = ""
    private var assembler: DIMSEMessageAssembler

    /// - Parameter atCapacity: the transport's association limit is reached; the request is rejected
    ///   (transient, local limit exceeded).
    public init(configuration: AcceptorConfiguration, atCapacity: Bool) {
        self.configuration = configuration
        self.atCapacity = atCapacity
        peerMaximumPDULength = Int(configuration.maximumPDULength)
        assembler = DIMSEMessageAssembler(maximumMessageLength: configuration.maximumMessageLength)
    }

    public mutating func receive(_ pdu: PDU) -> [Action] {
        do {
            return try handle(pdu)
        } catch let error as DICOMNetworkError {
            return fail(error)
        } catch {
            return fail(.invalidCommand("\(error)"))
        }
    }

    /// An error of this association (a PDU that did not decode, a protocol violation): A-ABORT
    /// (source service provider, the error's reason), then close. Nothing more is sent after.
    public mutating func fail(_ error: DICOMNetworkError) -> [Action] {
        guard state != .closing else { return [.close] }
        state = .closing
        failure = error
        return [.send(.abort(Abort(source: .serviceProvider, reason: error.abortReason))), .close]
    }

    private mutating func handle(_ pdu: PDU) throws -> [Action] {
        switch (state, pdu) {
        case (_, .abort):
            state = .closing
            return [.close]
        case (.closing, _):
            return []
        case (.awaitingAssociateRequest, .associateRequest(let rq)):
            switch AssociationNegotiation.negotiate(rq, configuration: configuration, atCapacity: atCapacity) {
            case .accepted(let ac, let accepted):
                state = .established
                contexts = accepted
                callingAETitle = rq.callingAETitle
                calledAETitle = rq.calledAETitle
                if let n = rq.userInformation.maximumLength { peerMaximumPDULength = min(Int(n), peerMaximumPDULength) }
                return [.send(.associateAccept(ac))]
            case .rejected(let rj):
                state = .closing
                return [.send(.associateReject(rj)), .awaitPeerClose]
            }
        case (.established, .dataTransfer(let pdvs)):
            var actions: [Action] = []
            for pdv in pdvs {
                guard contexts[pdv.contextID] != nil else { throw DICOMNetworkError.unacceptedPresentationContext(pdv.contextID) }
                if case let (command, message)? = try assembler.append(pdv) {
                    actions += try respond(to: command, message)
                }
            }
            return actions
        case (.established, .releaseRequest):
            state = .closing
            return [.send(.releaseResponse), .awaitPeerClose]
        default:
            throw DICOMNetworkError.unexpectedPDU(type: pdu.type, state: "\(state)")
        }
    }

    /// The C-STORE-RSP for an instance a `.store` action handed out; nothing once the association
    /// has ended (the peer aborted or released meanwhile).
    public func storeCompleted(_ instance: ReceivedInstance, status: StoreStatus) -> [Action] {
        guard state == .established else { return [] }
        let request = DIMSECommand.storeRequest(messageID: instance.messageID, sopClassUID: instance.sopClassUID,
                                                sopInstanceUID: instance.sopInstanceUID)
        return response(DIMSECommand.storeResponse(to: request, status: status.code, errorComment: status.comment),
                        contextID: instance.contextID)
    }

    private func respond(to command: DIMSECommand, _ message: DIMSEMessage) throws -> [Action] {
        let context = contexts[message.contextID]
        switch command.field {
        case .echoRequest where context?.abstractSyntax == WellKnownUID.verificationSOPClass
            && command.affectedSOPClassUID == WellKnownUID.verificationSOPClass:
            return response(DIMSECommand.echoResponse(to: command, status: DIMSECommand.success), contextID: message.contextID)
        case .storeRequest where context != nil && context?.abstractSyntax != WellKnownUID.verificationSOPClass:
            guard command.affectedSOPClassUID == context?.abstractSyntax else {
                // PS3.7 §9.1.1.1.2: the SOP class must be the context's; refuse the instance, keep the association.
                return response(DIMSECommand.storeResponse(to: command, status: DIMSECommand.sopClassNotSupported,
                                                           errorComment: "SOP class differs from the presentation context's"),
                                contextID: message.contextID)
            }
            guard let dataSet = message.dataSet, let instanceUID = command.affectedSOPInstanceUID else {
                throw DICOMNetworkError.invalidCommand("C-STORE-RQ without a data set")
            }
            return [.store(ReceivedInstance(
                messageID: command.messageID ?? 0, contextID: message.contextID, sopClassUID: command.affectedSOPClassUID,
                sopInstanceUID: instanceUID, transferSyntaxUID: context!.transferSyntax, priority: command.priority ?? 0,
                callingAETitle: callingAETitle, calledAETitle: calledAETitle, dataSet: dataSet))]
        default:
            throw DICOMNetworkError.invalidCommand("\(command.field) for \(command.affectedSOPClassUID) is not served on context \(message.contextID)")
        }
    }

    private func response(_ command: DIMSECommand, contextID: UInt8) -> [Action] {
        do {
            return DIMSEMessage(contextID: contextID, command: try command.encoded())
                .dataTransferPDUs(maximumPDULength: peerMaximumPDULength).map { .send($0) }
        } catch {
            return [.send(.abort(Abort(source: .serviceProvider, reason: .reasonNotSpecified))), .close]
        }
    }
}
