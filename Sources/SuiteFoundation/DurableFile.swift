public import Foundation

/// Writes a file so that after a crash or power cut it is either absent (or the old file) or whole:
/// the bytes go to a temporary file beside the target (`O_EXCL`), are flushed with fsync, then the
/// temporary file is renamed (or linked) to the target and the folder is flushed too.
public enum DurableFile {
    public enum Placement: Sendable {
        /// Replace the target if it exists (rename).
        case replace
        /// Fail with `DurableFileError.exists` if the target exists (link, then unlink the
        /// temporary file): two writers of one name cannot both succeed.
        case createNew
    }

    /// - Parameters:
    ///   - mode: permission bits of the new file.
    ///   - temporaryFolder: where the temporary file goes (default: the target's folder; must be on
    ///     the same file system).
    public static func write(_ data: Data, to url: URL, placement: Placement = .replace, mode: mode_t = 0o600,
                             temporaryFolder: URL? = nil) throws(DurableFileError) {
        let folder = temporaryFolder ?? url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(path: temporary, operation: "create", errno: errno) }
        var written = 0
        let failure: Int32? = data.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return fsync(fd) == 0 ? nil : errno
        }
        close(fd)
        if let failure {
            unlink(temporary)
            throw .io(path: temporary, operation: "write", errno: failure)
        }
        switch placement {
        case .replace:
            guard rename(temporary, url.path) == 0 else {
                let e = errno
                unlink(temporary)
                throw .io(path: url.path, operation: "rename", errno: e)
            }
        case .createNew:
            defer { unlink(temporary) }
            guard link(temporary, url.path) == 0 else {
                if errno == EEXIST { throw .exists(path: url.path) }
                throw .io(path: url.path, operation: "link", errno: errno)
            }
        }
        try synchronizeFolder(url.deletingLastPathComponent())
    }

    /// Flushes a folder's entries (a rename, link or unlink in it) to disk.
    public static func synchronizeFolder(_ folder: URL) throws(DurableFileError) {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: folder.path, operation: "open folder", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: folder.path, operation: "fsync folder", errno: errno) }
    }
}

public enum DurableFileError: Error, Equatable, CustomStringConvertible {
    /// `createNew` found the target there already.
    case exists(path: String)
    /// A system call failed: which one, on which path, and its errno.
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .exists(let path): "\(path): already exists"
        case .io(let path, let operation, let code): "\(path): \(operation) failed: \(String(cString: strerror(code)))"
        }
    }

    /// The disk or the quota is full (ENOSPC, EDQUOT).
    public var isOutOfSpace: Bool {
        if case .io(_, _, let code) = self { return code == ENOSPC || code == EDQUOT }
        return false
    }
}
