public import DICOMNetwork

/// Where a DICOM acceptor puts the instances it receives by C-STORE. `store` runs on a thread of
/// the server's storage pool, never on an event loop, and may block (file writes, fsync); it
/// returns only once the outcome is final, because a `.success` is reported to the peer as
/// "stored".
public protocol InstanceStorage: Sendable {
    func store(_ instance: ReceivedInstance) -> StoreStatus
}

/// Refuses every instance (out of resources): for a server that only answers C-ECHO.
public struct NoStorage: InstanceStorage {
    public init() {}
    public func store(_ instance: ReceivedInstance) -> StoreStatus { .outOfResources("this server stores nothing") }
}
