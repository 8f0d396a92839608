import DICOM
import DICOMNetwork
import DICOMService
import Foundation
import Testing
import TestSupport

/// C-STORE as an SCP: the association hands each instance to the storage and answers with the
/// storage's status; pynetdicom, a peer we did not write, sends pydicom's test files and what we
/// receive reads back as the same data set.
struct StoreTests {
    static let ct = "1.2.840.10008.5.1.4.1.1.2"
    static let configuration = AcceptorConfiguration(aeTitle: "OURAE", abstractSyntaxes: StorageSOPClasses.abstractSyntaxes(),
                                                     maximumPDULength: 16384, maximumMessageLength: 1 << 20)

    static func established(_ configuration: AcceptorConfiguration = configuration, calling: String = "SCU") -> AcceptorAssociation {
        var association = AcceptorAssociation(configuration: configuration, atCapacity: false)
        _ = association.receive(.associateRequest(AssociateRequest(
            calledAETitle: "OURAE", callingAETitle: calling,
            presentationContexts: [
                PresentationContextProposal(id: 1, abstractSyntax: WellKnownUID.verificationSOPClass, transferSyntaxes: [WellKnownUID.implicitVRLittleEndian]),
                PresentationContextProposal(id: 3, abstractSyntax: ct, transferSyntaxes: [WellKnownUID.implicitVRLittleEndian]),
            ],
            userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.3", implementationVersionName: nil))))
        return association
    }

    static func storeRequest(contextID: UInt8, sopClass: String = ct, dataSet: [UInt8]) throws -> [PDU] {
        let command = try DIMSECommand.storeRequest(messageID: 7, sopClassUID: sopClass, sopInstanceUID: "1.2.3.4", priority: 1).encoded()
        return DIMSEMessage(contextID: contextID, command: command, dataSet: dataSet).dataTransferPDUs(maximumPDULength: 1000)
    }

    static func status(_ actions: [AcceptorAssociation.Action]) throws -> DIMSECommand? {
        var assembler = DIMSEMessageAssembler(maximumMessageLength: 1 << 16)
        for case .send(.dataTransfer(let pdvs)) in actions {
            for pdv in pdvs { if let (command, _) = try assembler.append(pdv) { return command } }
        }
        return nil
    }

    @Test func storeRequestIsHandedOutAndAnsweredWithTheStoragesStatus() throws {
        var association = Self.established()
        let dataSet = [UInt8](repeating: 0xAB, count: 2500)  // three fragments
        var actions: [AcceptorAssociation.Action] = []
        for pdu in try Self.storeRequest(contextID: 3, dataSet: dataSet) { actions += association.receive(pdu) }
        #expect(actions == [.store(ReceivedInstance(messageID: 7, contextID: 3, sopClassUID: Self.ct, sopInstanceUID: "1.2.3.4",
                                                    transferSyntaxUID: WellKnownUID.implicitVRLittleEndian, priority: 1,
                                                    callingAETitle: "SCU", calledAETitle: "OURAE", dataSet: dataSet))])
        guard case .store(let instance) = actions.first else { return }
        for (status, code) in [(StoreStatus.success, 0x0000), (.duplicate, 0xB006), (.outOfResources("full"), 0xA700),
                               (.cannotUnderstand("no"), 0xC000)] {
            let response = try #require(try Self.status(association.storeCompleted(instance, status: status)))
            #expect(response.field == .storeResponse && response.messageIDBeingRespondedTo == 7)
            #expect(response.status == UInt16(code) && response.affectedSOPInstanceUID == "1.2.3.4")
            #expect(response.errorComment == status.comment)
        }
        // After a release, a late answer sends nothing.
        _ = association.receive(.releaseRequest)
        #expect(association.storeCompleted(instance, status: .success) == [])
    }

    @Test func storeOnAnotherContextOrClassIsRefusedOrAborted() throws {
        // The SOP class of the command differs from the context's: refused (0122), association kept.
        var association = Self.established()
        var actions: [AcceptorAssociation.Action] = []
        for pdu in try Self.storeRequest(contextID: 3, sopClass: "1.2.840.10008.5.1.4.1.1.4", dataSet: [1, 2]) { actions += association.receive(pdu) }
        #expect(try Self.status(actions)?.status == 0x0122)
        #expect(association.state == .established)
        // A C-STORE on the Verification context aborts.
        actions = []
        for pdu in try Self.storeRequest(contextID: 1, sopClass: WellKnownUID.verificationSOPClass, dataSet: [1, 2]) { actions += association.receive(pdu) }
        #expect(actions.last == .close && association.state == .closing)
    }

    @Test func callingAETitleOutsideTheAllowListIsRejectedWithReason3() {
        var configuration = Self.configuration
        configuration.callingAETitles = ["MODALITY1"]
        var stranger = AcceptorAssociation(configuration: configuration, atCapacity: false)
        let rq = AssociateRequest(calledAETitle: "OURAE", callingAETitle: "STRANGER", presentationContexts: [],
                                  userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.3", implementationVersionName: nil))
        #expect(stranger.receive(.associateRequest(rq)) == [
            .send(.associateReject(AssociateReject(result: .rejectedPermanent, reason: .serviceUser(.callingAETitleNotRecognized)))),
            .awaitPeerClose,
        ])
        var known = AcceptorAssociation(configuration: configuration, atCapacity: false)
        var allowed = rq
        allowed.callingAETitle = "MODALITY1"
        #expect(known.receive(.associateRequest(allowed)).count == 1 && known.state == .established)
    }

    /// pydicom's files in four transfer syntaxes through pynetdicom: each arrives once with its
    /// syntax, and wrapped as a Part 10 file it parses to the data set the file holds.
    @Test(.enabled(if: Peers.hasPynetdicom, "the pynetdicom test venv is missing (make test-venv)"), .timeLimit(.minutes(2)))
    func pynetdicomStoresReadBackAsTheSameDataSets() async throws {
        let files = ["CT_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "SC_rgb_rle.dcm", "image_dfl.dcm"]
            .map { Fixtures.repositoryRoot.appendingPathComponent("third_party/pydicom-test-files/\($0)").path }
        let storage = MemoryStorage { $0.sopInstanceUID.hasPrefix("1.3.6.1.4.1.5962.1.1.4") ? .duplicate : .success }
        let server = try await TestServer.start(acceptor: AcceptorConfiguration(aeTitle: "OURAE", abstractSyntaxes: StorageSOPClasses.abstractSyntaxes()),
                                                storage: storage)
        let result = try Peers.pynetdicomStore(port: server.port, called: "OURAE", files: files)
        try await server.stop()
        #expect(result.established && result.rejectedSyntaxes.isEmpty)
        #expect(result.statuses == [0x0000, 0xB006, 0xB006, 0x0000, 0x0000])  // the MR files are one instance: our storage says duplicate
        #expect(storage.instances.count == files.count)
        for (instance, path) in zip(storage.instances, files) {
            let original = try DICOMFile.read(contentsOf: URL(fileURLWithPath: path))
            #expect(instance.transferSyntaxUID == original.transferSyntax.uid, "\(path)")
            let part10 = try DICOMWriter.part10(encodedDataSet: instance.dataSet, sopClassUID: instance.sopClassUID,
                                               sopInstanceUID: instance.sopInstanceUID, transferSyntaxUID: instance.transferSyntaxUID,
                                               implementationClassUID: "1.2.3", implementationVersionName: "TEST", sourceAETitle: "PYNETDICOM")
            let received = try DICOMFile.parse(part10, file: path)
            #expect(received.meta.string(Tag(0x0002, 0x0016)) == "PYNETDICOM")
            #expect(received.dataSet.tags == original.dataSet.tags, "\(path)")
            for tag in [Tag.sopInstanceUID, .patientName, .rows, .columns] {
                #expect(Self.bytes(received.dataSet[tag]) == Self.bytes(original.dataSet[tag]), "\(path) \(tag)")
            }
            #expect(Self.bytes(received.dataSet[.pixelData]) == Self.bytes(original.dataSet[.pixelData]), "\(path): pixel data")
            #expect(Self.bytes(received.dataSet[.pixelData])?.isEmpty == false)
        }
    }

    /// An instance in a transfer syntax we do not take (JPEG 2000): its context is rejected with
    /// result 4 and nothing of it is stored; the other instance of the association goes through.
    @Test(.enabled(if: Peers.hasPynetdicom, "the pynetdicom test venv is missing (make test-venv)"), .timeLimit(.minutes(2)))
    func unsupportedTransferSyntaxIsRejectedPerContext() async throws {
        let files = ["MR_small_jp2klossless.dcm", "CT_small.dcm"]
            .map { Fixtures.repositoryRoot.appendingPathComponent("third_party/pydicom-test-files/\($0)").path }
        let storage = MemoryStorage()
        let server = try await TestServer.start(acceptor: AcceptorConfiguration(aeTitle: "OURAE", abstractSyntaxes: StorageSOPClasses.abstractSyntaxes()),
                                                storage: storage)
        let result = try Peers.pynetdicomStore(port: server.port, called: "OURAE", files: files)
        try await server.stop()
        #expect(result.established)
        #expect(result.rejectedSyntaxes == ["1.2.840.10008.1.2.4.90": 4], "\(result)")
        #expect(result.statuses == [nil, 0x0000])
        #expect(storage.instances.map(\.sopClassUID) == [Self.ct])
    }

    /// A value's bytes (fragments joined); nil for a sequence or a missing element.
    static func bytes(_ element: DataElement?) -> [UInt8]? {
        switch element?.value {
        case .bytes(let b): b
        case .fragments(let f): f.flatMap { $0 }
        default: nil
        }
    }

    /// A peer that stops in the middle of a data set: the association ends, nothing is stored.
    @Test func clientStoppingMidDataSetStoresNothing() async throws {
        let storage = MemoryStorage()
        let server = try await TestServer.start(acceptor: Self.configuration, storage: storage)
        let client = try RawClient(port: server.port)
        try client.send(.associateRequest(AssociateRequest(
            calledAETitle: "OURAE", callingAETitle: "HALFWAY",
            presentationContexts: [PresentationContextProposal(id: 3, abstractSyntax: Self.ct, transferSyntaxes: [WellKnownUID.implicitVRLittleEndian])],
            userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.3", implementationVersionName: nil))))
        guard case .associateAccept = try client.receive() else { Issue.record("not accepted"); return }
        let pdus = try Self.storeRequest(contextID: 3, dataSet: [UInt8](repeating: 7, count: 5000))
        for pdu in pdus.dropLast() { try client.send(pdu) }
        let last = try pdus.last!.encoded()
        client.send(Array(last.prefix(last.count / 2)))  // half of the last PDU, then gone
        client.shutdownWrite()
        #expect(client.closedByPeer())
        try await server.stop()
        #expect(storage.instances.isEmpty)
    }
}
