/// Application Entity titles (PS3.5 VR AE, PS3.8 §9.3.2).
public enum AETitle {
    /// 1–16 ASCII graphic characters or spaces, no backslash, not only spaces.
    public static func isWritable(_ title: String) -> Bool {
        let bytes = Array(title.utf8)
        return !bytes.isEmpty && bytes.count <= 16 && bytes.allSatisfy { (0x20...0x7E).contains($0) && $0 != 0x5C }
            && bytes.contains { $0 != 0x20 }
    }

    /// Writable and without leading or trailing spaces (they are not significant on the wire, so
    /// a configured title with them could never match a peer's).
    public static func isValid(_ title: String) -> Bool {
        isWritable(title) && title.first != " " && title.last != " "
    }
}
