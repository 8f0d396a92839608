import AuditLog
import RecordStore
public import Foundation
import SuiteFoundation
import Synchronization
import Vault

/// The durable spool of instances received over the network, waiting to be scored
/// (`<home>/spool`): each instance is a Part 10 file sealed by the store's vault, written to
/// `tmp/`, fsynced and linked into `incoming/` before `put` reports it stored, so a crash after
/// that loses nothing. Files are named by the keyed hash of their SOP Instance UID (a UID can
/// identify a patient, so it never appears in clear); `SpoolDrain` scores and removes them.
///
/// A second instance with the same SOP Instance UID — spooled or already scored — is a
/// duplicate and is not written. The bytes held in `incoming/` never exceed the quota: an
/// instance that does not fit is refused whole.
public final class InstanceSpool: Sendable {
    public enum Outcome: Equatable, Sendable {
        case stored
        case duplicate
        /// Refused: the quota or the disk is full; nothing was written.
        case full(String)
        /// Refused: sealing or writing failed; nothing was kept.
        case failed(String)
    }

    public let folder: URL
    /// The most bytes `incoming/` may hold (sealed files).
    public let quotaBytes: Int64
    let incoming: URL, temporary: URL, quarantine: URL
    let store: StudyStore
    private struct Usage {
        var bytes: Int64
        var files: Int
        /// Keys being written now: a concurrent second copy is a duplicate.
        var writing: Set<String> = []
    }
    private let usage: Mutex<Usage>

    /// Opens (creating, mode 0700) `folder`, removes temporary files a crash left behind and
    /// counts what waits in `incoming/`.
    public init(folder: URL, quotaBytes: Int64, store: StudyStore) throws {
        precondition(quotaBytes > 0, "the spool quota must be positive")
        self.folder = folder
        self.quotaBytes = quotaBytes
        self.store = store
        incoming = folder.appendingPathComponent("incoming")
        temporary = folder.appendingPathComponent("tmp")
        quarantine = folder.appendingPathComponent("quarantine")
        let manager = FileManager.default
        for url in [folder, incoming, temporary, quarantine] {
            try manager.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        for name in try manager.contentsOfDirectory(atPath: temporary.path) {
            try? manager.removeItem(at: temporary.appendingPathComponent(name))
        }
        var bytes: Int64 = 0, files = 0
        for name in try manager.contentsOfDirectory(atPath: incoming.path) where name.hasSuffix(Self.suffix) {
            bytes += Int64((try? manager.attributesOfItem(atPath: incoming.appendingPathComponent(name).path)[.size] as? Int) ?? 0)
            files += 1
        }
        usage = Mutex(Usage(bytes: bytes, files: files))
    }

    static let suffix = ".dcm.sealed"

    /// Instances waiting and their sealed bytes.
    public var depth: (instances: Int, bytes: Int64) { usage.withLock { ($0.files, $0.bytes) } }

    /// Spools one instance. `actor` names the sender in the audit trail (e.g. `dicom:MODALITY_AE`).
    public func put(sopInstanceUID: String, part10: Data, actor: String) -> Outcome {
        let key: String
        do { key = try instanceKey(sopInstanceUID) } catch { return .failed("cannot key the instance: \(error)") }
        // Sealing adds a fixed header and tag of well under 256 bytes.
        let reserved = Int64(part10.count + 256)
        let refusal: Outcome? = usage.withLock { u in
            if u.writing.contains(key) { return .duplicate }
            if u.bytes + reserved > quotaBytes { return .full("spool quota of \(quotaBytes) bytes reached") }
            u.writing.insert(key)
            u.bytes += reserved
            return nil
        }
        if let refusal { return refusal }
        var written: Int64 = 0
        defer {
            usage.withLock { u in
                u.writing.remove(key)
                u.bytes += written - reserved
                if written > 0 { u.files += 1 }
            }
        }
        do {
            if try store.hasReceived(instanceKey: key) { return .duplicate }
            let sealed = try store.vault.seal(part10, Self.context(key))
            try DurableFile.write(sealed, to: url(key), placement: .createNew, temporaryFolder: temporary)
            written = Int64(sealed.count)
        } catch DurableFileError.exists {
            return .duplicate
        } catch let error as DurableFileError where error.isOutOfSpace {
            return .full("disk full: \(error)")
        } catch {
            return .failed("\(error)")
        }
        try? store.secure.audit.append(AuditEvent(actor: actor, action: .recordCreate, objectType: "instance", objectID: key,
                                                  details: ["bytes": .int(part10.count)]))
        return .stored
    }

    /// The spooled files, oldest first.
    func pending() throws -> [URL] {
        let manager = FileManager.default
        let urls = try manager.contentsOfDirectory(at: incoming, includingPropertiesForKeys: [.contentModificationDateKey])
            .filter { $0.lastPathComponent.hasSuffix(Self.suffix) }
        func date(_ url: URL) -> Date { (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast }
        return urls.map { ($0, date($0)) }.sorted { ($0.1, $0.0.lastPathComponent) < ($1.1, $1.0.lastPathComponent) }.map(\.0)
    }

    /// The Part 10 bytes of a spooled file; throws `VaultError.tampered` when it was altered.
    func open(_ url: URL) throws -> Data {
        try store.vault.open(Data(contentsOf: url), Self.context(Self.key(of: url)))
    }

    /// Removes scored files (their instances are recorded as received first, by the drain).
    func remove(_ urls: [URL]) throws {
        for url in urls { try release(url) { try FileManager.default.removeItem(at: url) } }
        try DurableFile.synchronizeFolder(incoming)
    }

    /// Moves a file that cannot be opened out of the way, for an operator to look at.
    func quarantine(_ url: URL) throws {
        try release(url) { try FileManager.default.moveItem(at: url, to: quarantine.appendingPathComponent(url.lastPathComponent)) }
    }

    /// When a spooled file arrived (its modification time).
    static func arrival(of url: URL) -> Date {
        (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? Date()
    }

    static func key(of url: URL) -> String { String(url.lastPathComponent.dropLast(suffix.count)) }

    private func release(_ url: URL, _ body: () throws -> Void) throws {
        let size = Int64((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
        try body()
        usage.withLock { u in
            u.bytes -= size
            u.files -= 1
        }
    }

    private func url(_ key: String) -> URL { incoming.appendingPathComponent(key + Self.suffix) }

    /// 32 hex digits of the keyed hash of a SOP Instance UID.
    func instanceKey(_ sopInstanceUID: String) throws -> String {
        try store.vault.lookupHash(sopInstanceUID, purpose: "sop-instance-uid").prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    private static func context(_ key: String) -> SealContext {
        SealContext(table: "spool", column: "instance", row: key)
    }
}
