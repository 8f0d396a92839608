import Foundation

/// Opens a batch input by what it is, not by its name: a folder, a zip (`PK\3\4`, or `PK\5\6`
/// when empty), gzip (`1F 8B`, read as tar.gz) or tar (a valid header block).
public enum InputSources {
    public static func open(_ path: String, limits: InputLimits = .default) throws -> any InputSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError.unreadable(input: path, reason: "no such file or folder")
        }
        let url = URL(fileURLWithPath: path)
        if isDirectory.boolValue { return FolderSource(url, label: path, limits: limits) }
        let head: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = [UInt8](try handle.read(upToCount: TarHeader.blockSize) ?? Data())
        } catch {
            throw InputError.unreadable(input: path, reason: error.localizedDescription)
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return ZipSource(url, label: path, limits: limits)
        }
        if head.starts(with: [0x1F, 0x8B]) { return TarSource(url, gzip: true, label: path, limits: limits) }
        if head.count == TarHeader.blockSize, (try? TarHeader.parse(head)) != nil {
            return TarSource(url, gzip: false, label: path, limits: limits)
        }
        throw InputError.unknownKind(input: path)
    }
}
