import Crypto
public import Foundation

/// The files of a model folder and the content address of a model version: the SHA-256 of its
/// files in a canonical form (docs/LIFECYCLE.md, "Version ids"):
///
///     for each regular file, in ascending byte order of its UTF-8 path relative to the folder
///     ('/'-separated, no leading "./"):
///         path bytes, 0x00, the file's length in bytes as decimal ASCII, 0x00, the file's bytes
///
/// The id is the 64 lower-case hex digits of that digest. Folder names, modification times and
/// permissions are not part of it, so a copy of a folder has the id of the original.
public struct ModelVersionContent: Sendable, Equatable {
    public struct File: Sendable, Equatable, Codable {
        /// Relative to the folder, '/'-separated.
        public let path: String
        public let bytes: Int64
    }

    /// The folder's files, sorted as the canonical form orders them.
    public let files: [File]
    /// The content address: 64 lower-case hex digits.
    public let id: String

    public var totalBytes: Int64 { files.reduce(0) { $0 + $1.bytes } }

    /// Lists and hashes `folder`.
    /// - Throws: `ModelRegistryError.unsupportedEntry` for a symbolic link or special file,
    ///   `.incomplete` for the leftovers of an interrupted training or write, `.empty` for a
    ///   folder without files, `.unreadable` naming the file that cannot be read.
    public init(folder: URL) throws {
        let paths = try Self.relativePaths(folder)
        guard !paths.isEmpty else { throw ModelRegistryError.empty(path: folder.path) }
        var hasher = SHA256()
        var files: [File] = []
        for path in paths {
            let url = folder.appendingPathComponent(path)
            let data: Data
            do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
                throw ModelRegistryError.unreadable(path: url.path, detail: error.localizedDescription)
            }
            hasher.update(data: Data(path.utf8) + [0] + Data(String(data.count).utf8) + [0])
            hasher.update(data: data)
            files.append(File(path: path, bytes: Int64(data.count)))
        }
        self.files = files
        id = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// File names that mean a folder is not finished: the checkpoints `train` removes when it
    /// completes, and the staged files of an interrupted write (`.NAME.partial`).
    static func isLeftover(_ name: String) -> Bool {
        ["checkpoint.safetensors", "best.safetensors"].contains(name) || (name.hasPrefix(".") && name.hasSuffix(".partial"))
    }

    /// The regular files under `folder`, relative, in ascending UTF-8 byte order.
    static func relativePaths(_ folder: URL) throws -> [String] {
        var found: [String] = []
        func walk(_ relative: String) throws {
            let directory = relative.isEmpty ? folder : folder.appendingPathComponent(relative, isDirectory: true)
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
                throw ModelRegistryError.unreadable(path: directory.path, detail: error.localizedDescription)
            }
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                let full = folder.appendingPathComponent(path).path
                var info = stat()
                guard lstat(full, &info) == 0 else {
                    throw ModelRegistryError.unreadable(path: full, detail: String(cString: strerror(errno)))
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: try walk(path)
                case S_IFREG:
                    if isLeftover(name) { throw ModelRegistryError.incomplete(path: full) }
                    found.append(path)
                default: throw ModelRegistryError.unsupportedEntry(path: full)
                }
            }
        }
        try walk("")
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
