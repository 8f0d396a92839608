#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import NIOCore

/// The server could not listen: the port is taken, needs privileges, or the host is not an
/// address of this machine. Reported before anything says "serving".
public struct ListenError: Error, Equatable, CustomStringConvertible {
    /// `host:port` as configured.
    let address: String
    let reason: String

    public var description: String { "cannot listen on \(address): \(reason)" }

    /// The bind failure in `error`, nil for any other error.
    public init?(_ error: any Error, address: String) {
        self.address = address
        if let error = error as? IOError {
            switch error.errnoCode {
            case EADDRINUSE: reason = "the address is already in use (another server on this port?)"
            case EACCES: reason = "permission denied (ports below 1024 need privileges)"
            case EADDRNOTAVAIL: reason = "the host is not an address of this machine"
            default: return nil
            }
        } else if error is SocketAddressError {
            reason = "unknown host"
        } else {
            return nil
        }
    }
}
