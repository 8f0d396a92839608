import AuditLog
import Foundation
import GRDB

/// Why a batch row failed, as far as `--resume` is concerned: a transient failure of the
/// machine (a full disk, an I/O error, a busy, locked or read-only store) is retried; anything
/// else — the row's own fault (no usable text, an empty or too long ticket) or an error no
/// retry would fix — stays an error line.
enum RowFailure {
    /// SQLite primary result codes of a store that could not write just now.
    static let transientResultCodes: [ResultCode] = [
        .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN,
    ]
    /// errno values of a file system that could not write just now (EFBIG: a file-size limit).
    static let transientErrnos: Set<Int32> = [ENOSPC, EDQUOT, EIO, EROFS, EAGAIN, EBUSY, EFBIG]

    /// Whether running the row again may succeed without changing the input.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as DatabaseError:
            return transientResultCodes.contains(error.resultCode.primaryResultCode)
        case let error as AuditError:
            if case .checkpointIO = error { return true }
            return false
        default:
            let error = error as NSError  // POSIXError and CocoaError included
            switch error.domain {
            case NSPOSIXErrorDomain: return transientErrnos.contains(Int32(error.code))
            case NSCocoaErrorDomain: return [CocoaError.fileWriteOutOfSpace.rawValue, CocoaError.fileWriteVolumeReadOnly.rawValue]
                .contains(error.code)
            default: return false
            }
        }
    }
}
