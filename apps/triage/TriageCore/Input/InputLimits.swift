/// Caps that keep a hostile archive (zip or gzip bomb, a forged size) from exhausting memory or
/// disk: checked against declared sizes before reading, and again while inflating, so nothing
/// is inflated beyond a cap.
public struct InputLimits: Sendable, Equatable {
    /// Largest entry read into memory, in bytes (uncompressed). Larger entries are skipped.
    package var maxEntryBytes: Int
    /// Largest total of uncompressed bytes read from one input; reading stops past it.
    package var maxTotalBytes: Int

    /// 512 MiB per entry (a 16-bit 8k × 8k radiograph is 128 MiB), 64 GiB per input.
    public static let `default` = InputLimits(maxEntryBytes: 512 << 20, maxTotalBytes: 64 << 30)

    public init(maxEntryBytes: Int, maxTotalBytes: Int) {
        self.maxEntryBytes = maxEntryBytes
        self.maxTotalBytes = maxTotalBytes
    }
}
