/// Why the model registry refused an operation. Each names the file, folder or version concerned.
public enum ModelRegistryError: Error, Equatable, CustomStringConvertible {
    case empty(path: String)
    case unreadable(path: String, detail: String)
    case unsupportedEntry(path: String)
    case incomplete(path: String)
    /// The product's check refused the folder (its message names the file).
    case notLoadable(folder: String, detail: String)
    /// The folder's content changed between hashing and copying.
    case changedWhileCopying(folder: String)
    case invalidPrefix(String)
    case unknownVersion(prefix: String)
    case ambiguous(prefix: String, matches: [String])
    case retired(version: String)
    case alreadyActive(version: String)
    case activeCannotRetire(version: String)
    case noActiveVersion
    case nothingToRollBackTo(active: String)
    /// The version's folder under the registry is gone or no longer matches its id.
    case missingFiles(version: String, path: String)
    /// The active row failed its integrity check (changed outside the registry).
    case integrityFailed(table: String)

    public var description: String {
        switch self {
        case .empty(let path): return "\(path): the folder holds no files"
        case .unreadable(let path, let detail): return "\(path): cannot be read: \(detail)"
        case .unsupportedEntry(let path):
            return "\(path): not a regular file or folder (symbolic links and special files are not stored)"
        case .incomplete(let path):
            return "\(path): the folder is incomplete (a training checkpoint or a partially written file is left); "
                + "finish or rerun the command that writes it"
        case .notLoadable(let folder, let detail): return "\(folder): not a loadable model: \(detail)"
        case .changedWhileCopying(let folder): return "\(folder): the folder changed while it was copied; add it again"
        case .invalidPrefix(let prefix): return "'\(prefix)' is not a version id or a prefix of one (hex digits)"
        case .unknownVersion(let prefix): return "no model version starts with '\(prefix)' (see `models list`)"
        case .ambiguous(let prefix, let matches):
            return "'\(prefix)' is ambiguous: it starts \(matches.count) versions (\(matches.map { ModelRegistry.short($0) }.joined(separator: ", "))); give more digits"
        case .retired(let version): return "version \(ModelRegistry.short(version)) is retired"
        case .alreadyActive(let version): return "version \(ModelRegistry.short(version)) is already the active version"
        case .activeCannotRetire(let version):
            return "version \(ModelRegistry.short(version)) is the active version: promote another one (or roll back) before retiring it"
        case .noActiveVersion: return "no version is active (promote one first)"
        case .nothingToRollBackTo(let active):
            return "version \(ModelRegistry.short(active)) is the first version promoted: there is no earlier one to roll back to"
        case .missingFiles(let version, let path):
            return "version \(ModelRegistry.short(version)): its files at \(path) are missing or changed"
        case .integrityFailed(let table): return "the \(table) row failed its integrity check (changed outside the registry)"
        }
    }
}
