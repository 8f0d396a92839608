import Foundation

/// Errors loading or writing a triage model folder, naming the file and the field.
package enum TriageModelError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String)
    case invalidSpec(path: String, detail: String)
    case invalidWeights(path: String, detail: String)
    case notFound(searched: [String])
    case writeFailed(path: String, detail: String)

    package var description: String {
        switch self {
        case .missingFile(let path): return "\(path): no such file (a triage model folder holds model.json and weights.safetensors)"
        case .invalidSpec(let path, let detail): return "\(path): invalid model: \(detail)"
        case .invalidWeights(let path, let detail): return "\(path): weights do not fit the model: \(detail)"
        case .notFound(let searched):
            return "no triage model found (looked in \(searched.joined(separator: ", "))); pass --model DIR"
        case .writeFailed(let path, let detail): return "\(path): cannot write the model: \(detail)"
        }
    }
}
