/// Errors reading a safetensors file; each names the file and, where one is involved, the tensor.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case truncated(path: String, detail: String)
    case invalidHeader(path: String, detail: String)
    case unknownDType(path: String, tensor: String, dtype: String)
    case invalidTensor(path: String, tensor: String, detail: String)
    case missingTensor(path: String, tensor: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])
    case notFloatingPoint(path: String, tensor: String, dtype: String)
    /// Writing a file failed (disk full, permissions); nothing was left at the path.
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .truncated(let path, let detail): return "\(path): truncated safetensors file: \(detail)"
        case .invalidHeader(let path, let detail): return "\(path): invalid safetensors header: \(detail)"
        case .unknownDType(let path, let tensor, let dtype):
            return "\(path): tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case .invalidTensor(let path, let tensor, let detail): return "\(path): tensor '\(tensor)': \(detail)"
        case .missingTensor(let path, let tensor): return "\(path): tensor '\(tensor)' is missing"
        case .shapeMismatch(let path, let tensor, let expected, let found):
            return "\(path): tensor '\(tensor)' has shape \(found), expected \(expected)"
        case .notFloatingPoint(let path, let tensor, let dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype); F32, F16 or BF16 expected"
        case .io(let path, let detail): return "\(path): cannot write: \(detail)"
        }
    }
}
