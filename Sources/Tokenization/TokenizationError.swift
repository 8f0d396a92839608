/// Errors raised while loading a tokenizer or applying it with invalid settings.
///
/// Every case names the file (when one is involved) and the field or value at fault, so a
/// command-line tool can print it as is.
package enum TokenizationError: Error, Equatable, CustomStringConvertible {
    /// Neither tokenizer.json nor vocab.txt exists in the folder.
    case noTokenizerFiles(folder: String)
    /// The file could not be read (missing, a directory, permissions).
    case unreadable(path: String, reason: String)
    /// The file is not valid JSON, or a field has the wrong type or is missing.
    case invalidJSON(path: String, detail: String)
    /// A configuration value this implementation does not know (an unknown normalizer type, ...).
    case unsupported(path: String, field: String, value: String)
    /// The vocabulary is inconsistent (duplicate ids, gaps, empty tokens).
    case invalidVocabulary(path: String, detail: String)
    /// A token the configuration refers to (unk, cls, sep, pad, template token) is not in the vocabulary.
    case unknownToken(path: String, field: String, token: String)
    /// A caller passed settings that cannot work, e.g. a maximum length below the special tokens.
    case invalidArgument(String)

    package var description: String {
        switch self {
        case .noTokenizerFiles(let folder):
            return "\(folder): no tokenizer.json or vocab.txt in this folder"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .invalidJSON(let path, let detail):
            return "\(path): invalid JSON: \(detail)"
        case .unsupported(let path, let field, let value):
            return "\(path): unsupported value '\(value)' for \(field)"
        case .invalidVocabulary(let path, let detail):
            return "\(path): invalid vocabulary: \(detail)"
        case .unknownToken(let path, let field, let token):
            return "\(path): \(field) '\(token)' is not in the vocabulary"
        case .invalidArgument(let message):
            return message
        }
    }
}
