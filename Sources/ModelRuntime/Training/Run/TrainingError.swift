/// Why training could not start or go on (both products' training commands).
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A setting out of range, named by its command-line option.
    case invalidSetting(option: String, detail: String)
    /// A checkpoint in the output folder belongs to another run.
    case checkpointMismatch(path: String, detail: String)
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case .invalidSetting(let option, let detail): "--\(option): \(detail)"
        case .checkpointMismatch(let path, let detail):
            "\(path): the checkpoint there is from a different run (\(detail)); choose another --out or delete it"
        case .io(let path, let detail): "\(path): \(detail)"
        }
    }
}

/// What a checkpoint must match for a run to resume from it: the settings, the data, the
/// starting model. Stored in the checkpoint as JSON.
public protocol RunIdentity: Codable, Equatable, Sendable {
    /// What differs from `other`, in a few words, for the refusal to resume ("settings differ").
    func difference(from other: Self) -> String
}
