import Crypto
public import Foundation
import ModelRuntime

/// Finds the sentence-encoder folder: `--model DIR`, then `$ASSISTANT_MODEL_DIR`, then the
/// default `models/all-MiniLM-L6-v2` installed by `make setup` (looked up from the working
/// directory and from the executable's directory upwards, so `.build/release/assistant` finds it).
public enum ModelLocator {
    public static let environmentVariable = "ASSISTANT_MODEL_DIR"
    public static let defaultRelativePath = "models/all-MiniLM-L6-v2"

    package enum LocatorError: Error, CustomStringConvertible {
        case notFound(path: String, source: String)
        case noDefault(searched: [String])

        package var description: String {
            switch self {
            case .notFound(let path, let source):
                return "\(path): model folder not found (from \(source))"
            case .noDefault(let searched):
                return "no model folder found (looked in \(searched.joined(separator: ", "))); "
                    + "install all-MiniLM-L6-v2 with `make setup`, or pass --model DIR, or set \(environmentVariable)"
            }
        }
    }

    /// The model folder to use.
    /// - Parameter explicit: the `--model` option, if given.
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                               executable: String? = nil,
                               workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> URL {
        if let explicit {
            return try existingFolder(explicit, source: "--model")
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return try existingFolder(fromEnvironment, source: environmentVariable)
        }
        let searched = DefaultFolders.candidates(defaultRelativePath, executable: executable,
                                                 workingDirectory: workingDirectory)
        if let found = searched.first(where: { isDirectory($0.path) }) { return found }
        throw LocatorError.noDefault(searched: Array(Set(searched.map(\.path))).sorted())
    }

    private static func existingFolder(_ path: String, source: String) throws -> URL {
        guard isDirectory(path) else { throw LocatorError.notFound(path: path, source: source) }
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

extension ModelLocator {
    /// A short identity of a model folder for audit entries and answers: its folder name and a
    /// hash of config.json and the safetensors header (cheap: the weights themselves are not read).
    public static func version(of folder: URL) -> String {
        var data = (try? Data(contentsOf: folder.appendingPathComponent("config.json"))) ?? Data()
        if let handle = FileHandle(forReadingAtPath: folder.appendingPathComponent("model.safetensors").path) {
            data.append((try? handle.read(upToCount: 1 << 16)) ?? Data())
            try? handle.close()
        }
        let digest = SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
        return "\(folder.lastPathComponent)@\(digest)"
    }
}

extension ModelLocator {
    /// The shipped demo classifier `data/classifier`, looked up like the model (working directory,
    /// then upwards from the executable), or nil.
    public static func defaultClassifierFolder(executable: String? = nil) -> String? {
        DefaultFolders.first("data/classifier", containing: "classifier.json", executable: executable)?.path
    }

    /// Where `index --train` writes the classifier it trains on a home's knowledge base.
    public static func homeClassifierFolder(home: URL) -> URL { home.appendingPathComponent("classifier") }

    /// The classifier `ask`, `batch`, `serve` and `index` use without `--classifier`: the one
    /// `index --train` trained for this home's knowledge base, else the shipped demo classifier.
    public static func activeClassifierFolder(home: URL) -> String? {
        let trained = homeClassifierFolder(home: home)
        if FileManager.default.fileExists(atPath: trained.appendingPathComponent("classifier.json").path) { return trained.path }
        return defaultClassifierFolder()
    }
}
