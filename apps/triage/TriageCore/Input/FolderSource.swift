public import Foundation

/// A folder read recursively in name order. Symbolic links are followed only to regular files
/// inside the folder; links leaving it, links to folders (loops) and non-regular files
/// (FIFOs, devices, sockets) are skipped with the reason.
public final class FolderSource: InputSource {
    public let label: String
    let root: URL
    let limits: InputLimits
    private var listed = 0, emitted = 0

    public init(_ root: URL, label: String? = nil, limits: InputLimits = .default) {
        self.root = root
        self.label = label ?? root.path
        self.limits = limits
    }

    public var progress: Double? { listed == 0 ? nil : Double(emitted) / Double(listed) }

    public func forEach(_ body: (InputEntry) throws -> Void) throws {
        guard let realRoot = Self.realPath(root.path) else {
            throw InputError.unreadable(input: label, reason: "no such folder")
        }
        var paths: [String] = []
        try list(realRoot, relative: "", into: &paths)
        listed = paths.count
        var total = 0
        for relative in paths {
            emitted += 1
            let name = label + "/" + relative
            let path = realRoot + "/" + relative
            if let entry = classify(path, realRoot: realRoot, name: name) {
                try body(entry)
                continue
            }
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                try body(.failed(name: name, error: .unreadable(input: name, reason: error.localizedDescription)))
                continue
            }
            total += data.count
            guard total <= limits.maxTotalBytes else { throw InputError.inputTooLarge(input: label, limit: limits.maxTotalBytes) }
            try body(.file(name: name, data: data))
        }
    }

    /// Every non-directory below `directory` (links included, not followed), sorted by name.
    private func list(_ directory: String, relative: String, into paths: inout [String]) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw InputError.unreadable(input: relative.isEmpty ? label : label + "/" + relative, reason: error.localizedDescription)
        }
        for name in names {
            let path = directory + "/" + name, rel = relative.isEmpty ? name : relative + "/" + name
            if Self.attributes(path)?.type == .typeDirectory {
                try list(path, relative: rel, into: &paths)
            } else {
                paths.append(rel)
            }
        }
    }

    /// A skip or failure for anything but a regular file (or a link to one inside the root)
    /// within the size cap; nil when the file should be read.
    private func classify(_ path: String, realRoot: String, name: String) -> InputEntry? {
        var info: (type: FileAttributeType, size: Int)
        do { info = try Self.attributesOrError(path) } catch {
            return .failed(name: name, error: .unreadable(input: name, reason: error.localizedDescription))
        }
        if info.type == .typeSymbolicLink {
            guard let target = Self.realPath(path) else { return .skipped(name: name, reason: "dangling symbolic link") }
            guard target.hasPrefix(realRoot + "/") else { return .skipped(name: name, reason: "symbolic link leaves the folder; not followed") }
            guard let targetInfo = Self.attributes(target) else { return .skipped(name: name, reason: "dangling symbolic link") }
            if targetInfo.type == .typeDirectory { return .skipped(name: name, reason: "link to a folder; not followed") }
            info = targetInfo
        }
        guard info.type == .typeRegular else { return .skipped(name: name, reason: "not a regular file") }
        if info.size > limits.maxEntryBytes {
            return .failed(name: name, error: .entryTooLarge(entry: name, limit: limits.maxEntryBytes))
        }
        return nil
    }

    /// The type and size (bytes) of `path` itself, a symbolic link not followed (lstat).
    private static func attributesOrError(_ path: String) throws -> (type: FileAttributeType, size: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.type] as? FileAttributeType ?? .typeUnknown, (attributes[.size] as? NSNumber)?.intValue ?? 0)
    }

    private static func attributes(_ path: String) -> (type: FileAttributeType, size: Int)? {
        try? attributesOrError(path)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
