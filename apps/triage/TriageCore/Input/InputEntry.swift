public import Foundation

/// One file met while reading a batch input (a folder, a zip or a tar archive), in the order
/// the input yields them.
public enum InputEntry: Sendable {
    /// A regular file with its whole content (at most `InputLimits.maxEntryBytes`).
    case file(name: String, data: Data)
    /// Not read on purpose (a symbolic link leaving the root or to a folder, a link entry of an
    /// archive, a device or FIFO), with the reason.
    case skipped(name: String, reason: String)
    /// Could not be read (corrupt or truncated entry, a name leaving the root, over the size cap,
    /// an I/O error); the input goes on.
    case failed(name: String, error: InputError)
}

/// A folder, zip or tar(.gz) input read entry by entry.
public protocol InputSource {
    /// What the operator gave (the folder or archive path), used to name entries in messages.
    var label: String { get }
    /// Calls `body` for each entry. Problems of one entry come as `.failed`/`.skipped` entries;
    /// it throws only when the input as a whole cannot be read (or `body` throws).
    func forEach(_ body: (InputEntry) throws -> Void) throws
    /// How far reading has got, 0…1, when the input can tell (files listed, bytes consumed).
    var progress: Double? { get }
}
