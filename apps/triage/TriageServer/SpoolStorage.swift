public import DICOMNetwork
public import DICOMService
import DICOM
import Foundation
public import TriageCore

/// The C-STORE SCP's storage for `triage serve`: each received data set becomes a Part 10 file
/// (File Meta naming the instance, its transfer syntax and the calling AE) in the durable spool.
public struct SpoolStorage: InstanceStorage {
    let spool: InstanceSpool
    let acceptor: AcceptorConfiguration
    let metrics: TriageServiceMetrics?

    public init(spool: InstanceSpool, acceptor: AcceptorConfiguration, metrics: TriageServiceMetrics? = nil) {
        self.spool = spool
        self.acceptor = acceptor
        self.metrics = metrics
    }

    public func store(_ instance: ReceivedInstance) -> StoreStatus {
        let status = wrapAndSpool(instance)
        metrics?.recordStore(status)
        metrics?.recordSpool(spool.depth)
        return status
    }

    private func wrapAndSpool(_ instance: ReceivedInstance) -> StoreStatus {
        let data: Data
        do {
            data = try DICOMWriter.part10(
                encodedDataSet: instance.dataSet, sopClassUID: instance.sopClassUID, sopInstanceUID: instance.sopInstanceUID,
                transferSyntaxUID: instance.transferSyntaxUID, implementationClassUID: acceptor.implementationClassUID,
                implementationVersionName: acceptor.implementationVersionName, sourceAETitle: instance.callingAETitle)
        } catch {
            return .cannotUnderstand("cannot wrap the data set: \(error)")
        }
        let header = InstanceSpool.header(of: data)
        // C-STORE Priority: 0 medium, 1 high, 2 low (PS3.7 §9.3.1.1); a STAT procedure is high whatever the SCU says.
        let priority: InstanceSpool.Priority = header.stat || instance.priority == 1 ? .high : instance.priority == 2 ? .low : .medium
        switch spool.put(sopInstanceUID: instance.sopInstanceUID, studyInstanceUID: header.studyInstanceUID, priority: priority,
                         studySize: header.studySize, part10: data,
                         actor: "dicom:\(instance.callingAETitle)") {
        case .stored: return .success
        case .duplicate: return .duplicate
        case .full(let reason), .failed(let reason): return .outOfResources(reason)
        }
    }
}
