import Foundation
/// Entry names of archives, checked before anything is read: a name must stay inside the
/// archive root once `.` and `..` are resolved, and may not be absolute.
enum ArchivePath {
    /// The name with `.` segments and repeated separators removed, or nil when it is absolute
    /// (`/x`, `\x`, `C:x`), contains a NUL, or climbs above the root with `..`.
    /// Backslashes count as separators (archives written on Windows).
    static func normalized(_ name: String) -> String? {
        if name.contains("\0") { return nil }
        let unified = name.replacingOccurrences(of: "\\", with: "/")
        if unified.hasPrefix("/") { return nil }
        if let colon = unified.firstIndex(of: ":"), unified[..<colon].count == 1 { return nil }  // drive letter
        var parts: [Substring] = []
        for part in unified.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if parts.isEmpty { return nil }
                parts.removeLast()
            default: parts.append(part)
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}
