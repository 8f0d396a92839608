/// Why a batch input, or one entry of it, could not be read. Every case names the input or
/// the entry (`archive:inner/path`).
public enum InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input does not exist or cannot be opened.
    case unreadable(input: String, reason: String)
    /// Neither a folder, a zip, nor a tar or tar.gz archive.
    case unknownKind(input: String)
    /// The archive's structure is damaged at `offset` (bytes into the uncompressed stream);
    /// entries after it cannot be found.
    case corruptArchive(input: String, offset: Int, reason: String)
    /// One entry's data is damaged (bad CRC, corrupt deflate stream) or ends early.
    case corruptEntry(entry: String, reason: String)
    /// An entry's name leaves the archive root (`../`, an absolute path).
    case pathEscapesRoot(entry: String)
    /// An entry inflates past `InputLimits.maxEntryBytes` (it was stopped there).
    case entryTooLarge(entry: String, limit: Int)
    /// The input inflates past `InputLimits.maxTotalBytes`; reading stopped there.
    case inputTooLarge(input: String, limit: Int)

    public var description: String {
        switch self {
        case .unreadable(let input, let reason): "\(input): cannot read: \(reason)"
        case .unknownKind(let input): "\(input): not a folder, .zip, .tar or .tar.gz archive"
        case .corruptArchive(let input, let offset, let reason): "\(input): corrupt archive at byte \(offset): \(reason)"
        case .corruptEntry(let entry, let reason): "\(entry): corrupt entry: \(reason)"
        case .pathEscapesRoot(let entry): "\(entry): path leaves the archive root; not extracted"
        case .entryTooLarge(let entry, let limit): "\(entry): larger than the \(limit)-byte entry cap; not read"
        case .inputTooLarge(let input, let limit): "\(input): inflates past the \(limit)-byte input cap; reading stopped"
        }
    }
}
