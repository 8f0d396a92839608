import Foundation
import SuiteFoundation

/// Decodes a model configuration file, naming the file and the key path in every error.
func decodeConfig<T: Decodable>(_ type: T.Type, at url: URL, hint: String = "") throws -> T {
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw ModelError.missingFile(path: url.path, hint: hint)
    }
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw ModelError.invalidConfig(path: url.path, detail: "cannot read: \(error.localizedDescription)")
    }
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let error as DecodingError {
        throw ModelError.invalidConfig(path: url.path, detail: error.summary)
    }
}
