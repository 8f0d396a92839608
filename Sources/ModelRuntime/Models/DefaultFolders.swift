public import Foundation

/// Where the suite looks for a folder it ships or installs (`models/all-MiniLM-L6-v2`,
/// `data/classifier`, `data/triage-model`): the working directory, then the running
/// executable's folder and five of its parents, so `.build/release/<tool>` finds the folders
/// of its checkout. The executable is the binary's real path (`Bundle.main.executablePath`),
/// because `argv[0]` is a bare name when a tool is found on `$PATH`.
public enum DefaultFolders {
    /// The candidate locations of `relativePath`, in search order (duplicates removed).
    public static func candidates(_ relativePath: String, executable: String? = nil,
                                  workingDirectory: String = FileManager.default.currentDirectoryPath) -> [URL] {
        let binary = executable ?? Bundle.main.executablePath ?? CommandLine.arguments.first ?? ""
        var roots = [URL(fileURLWithPath: workingDirectory)]
        var directory = URL(fileURLWithPath: binary).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            roots.append(directory)
            directory = directory.deletingLastPathComponent()
        }
        var seen = Set<String>()
        return roots.map { $0.appendingPathComponent(relativePath).standardizedFileURL }.filter { seen.insert($0.path).inserted }
    }

    /// The first candidate of `relativePath` that holds `marker` (a file inside it), or nil.
    public static func first(_ relativePath: String, containing marker: String, executable: String? = nil,
                             workingDirectory: String = FileManager.default.currentDirectoryPath) -> URL? {
        candidates(relativePath, executable: executable, workingDirectory: workingDirectory).first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path)
        }
    }
}
