/// Errors loading a model folder (configuration files and weights that do not fit together)
/// or writing one.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// A required file is absent.
    case missingFile(path: String, hint: String)
    /// A configuration file is not valid JSON or a field is missing or mistyped.
    case invalidConfig(path: String, detail: String)
    /// A configuration value this runtime does not support.
    case unsupported(path: String, field: String, value: String)
    /// A file of a model folder being written could not be created or copied.
    case cannotWrite(path: String, detail: String)

    public var description: String {
        switch self {
        case .missingFile(let path, let hint): return "\(path): no such file\(hint.isEmpty ? "" : " (\(hint))")"
        case .invalidConfig(let path, let detail): return "\(path): invalid configuration: \(detail)"
        case .unsupported(let path, let field, let value): return "\(path): unsupported value '\(value)' for \(field)"
        case .cannotWrite(let path, let detail): return "\(path): cannot write: \(detail)"
        }
    }
}
