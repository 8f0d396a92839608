import AuditLog
public import DICOM
import RecordStore
public import Foundation
import SuiteFoundation
import Synchronization
import Vault

/// The durable spool of instances received over the network, waiting to be scored
/// (`<home>/spool`): each instance is a Part 10 file sealed by the store's vault, written to
/// `tmp/`, fsynced and linked into `incoming/` before `put` reports it stored, so a crash after
/// that loses nothing. A file is named `INSTANCE.STUDY.P.N.dcm.sealed`: the keyed hashes of its SOP
/// Instance UID and its Study Instance UID (UIDs can identify a patient, so they never appear in
/// clear), its priority (0 high, 1 medium, 2 low) and the number of instances its study announces
/// (0 when it does not), so the drain can pick complete studies, urgent first, without opening a file. `SpoolDrain` scores and removes them.
///
/// A second instance with the same SOP Instance UID — spooled or already scored — is a
/// duplicate and is not written. The bytes held in `incoming/` never exceed the quota: an
/// instance that does not fit is refused whole. One process writes a spool at a time.
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
    /// One instance waiting in `incoming/`.
    struct Pending: Sendable {
        let url: URL
        let studyKey: String
        let priority: Priority
        /// Instances the study announces (Number of Study Related Instances); 0 when unknown.
        let studySize: Int
        let arrival: Date
    }

    private struct Usage {
        var bytes: Int64 = 0
        /// Instance key → its waiting file.
        var pending: [String: Pending] = [:]
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
        var found = Usage()
        for name in try manager.contentsOfDirectory(atPath: incoming.path) where name.hasSuffix(Self.suffix) {
            let url = incoming.appendingPathComponent(name)
            guard let entry = Self.parse(url) else { continue }
            found.bytes += Int64((try? manager.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
            found.pending[entry.key] = entry.pending
        }
        usage = Mutex(found)
    }

    static let suffix = ".dcm.sealed"

    /// Instances waiting and their sealed bytes.
    public var depth: (instances: Int, bytes: Int64) { usage.withLock { ($0.pending.count, $0.bytes) } }

    /// How soon an instance should be scored: C-STORE's Priority, or a STAT Requested Procedure Priority.
    public enum Priority: Int, Sendable, Comparable {
        case high = 0, medium = 1, low = 2
        public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
    }

    /// What the spool needs from an instance's header: its Study Instance UID, whether its
    /// Requested Procedure Priority (0040,1003) says STAT, and how many instances its study has
    /// when it says so (0 otherwise); empty fields when the file does not parse
    /// (it is spooled all the same, and the drain stores it as a failed study).
    public static func header(of part10: Data) -> (studyInstanceUID: String?, stat: Bool, studySize: Int) {
        guard let file = try? DICOMFile.parse(part10, file: "spooled instance") else { return (nil, false, 0) }
        return header(of: file)
    }

    /// `header(of:)` of a parsed file; the study size is Number of Study Related Instances (0020,1208).
    public static func header(of file: DICOMFile) -> (studyInstanceUID: String?, stat: Bool, studySize: Int) {
        let priority = file.dataSet.string(Tag(0x0040, 0x1003))?.uppercased()
        return (file.dataSet.string(.studyInstanceUID), priority == "STAT", file.dataSet.int(Tag(0x0020, 0x1208)) ?? 0)
    }

    /// Spools one instance. `studyInstanceUID` groups it with its study (nil: a study of its own);
    /// `actor` names the sender in the audit trail (e.g. `dicom:MODALITY_AE`).
    public func put(sopInstanceUID: String, studyInstanceUID: String?, priority: Priority = .medium, studySize: Int = 0,
                    part10: Data, actor: String) -> Outcome {
        let key: String, studyKey: String
        do {
            key = try instanceKey(sopInstanceUID)
            studyKey = try String(store.vault.lookupHash(studyInstanceUID ?? "instance:" + sopInstanceUID, purpose: "study-instance-uid")
                .prefix(8).map { String(format: "%02x", $0) }.joined())
        } catch { return .failed("cannot key the instance: \(error)") }
        // Sealing adds a fixed header and tag of well under 256 bytes.
        let reserved = Int64(part10.count + 256)
        let refusal: Outcome? = usage.withLock { u in
            if u.writing.contains(key) || u.pending[key] != nil { return .duplicate }
            if u.bytes + reserved > quotaBytes { return .full("spool quota of \(quotaBytes) bytes reached") }
            u.writing.insert(key)
            u.bytes += reserved
            return nil
        }
        if let refusal { return refusal }
        let size = max(0, min(studySize, 99_999))
        let target = incoming.appendingPathComponent("\(key).\(studyKey).\(priority.rawValue).\(size)\(Self.suffix)")
        var written: Int64 = 0
        defer {
            usage.withLock { u in
                u.writing.remove(key)
                u.bytes += written - reserved
                if written > 0 { u.pending[key] = Pending(url: target, studyKey: studyKey, priority: priority, studySize: size,
                                                          arrival: Self.arrival(of: target)) }
            }
        }
        do {
            if try store.hasReceived(instanceKey: key) { return .duplicate }
            let sealed = try store.vault.seal(part10, Self.context(key))
            try DurableFile.write(sealed, to: target, placement: .createNew, temporaryFolder: temporary)
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

    /// The files to score now, most urgent first, then oldest first: every waiting instance of
    /// each complete study — one that has received nothing for `quietPeriod` seconds (all of them
    /// when 0), or all the instances it announced are here (a single-image study at once).
    func pending(quietPeriod: Double = 0, now: Date = Date()) -> [URL] {
        let waiting = usage.withLock { Array($0.pending.values) }
        let lastArrival = Dictionary(waiting.map { ($0.studyKey, $0.arrival) }, uniquingKeysWith: max)
        let count = Dictionary(waiting.map { ($0.studyKey, 1) }, uniquingKeysWith: +)
        return waiting.filter { p in
            now.timeIntervalSince(lastArrival[p.studyKey]!) >= quietPeriod || (p.studySize > 0 && count[p.studyKey]! >= p.studySize)
        }
            .sorted { ($0.priority, $0.arrival, $0.url.lastPathComponent) < ($1.priority, $1.arrival, $1.url.lastPathComponent) }
            .map(\.url)
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

    /// The instance key of a spooled file's name.
    static func key(of url: URL) -> String { String(url.lastPathComponent.prefix { $0 != "." }) }

    /// A spooled file's key and index entry from its name; nil for a name this spool did not write.
    static func parse(_ url: URL) -> (key: String, pending: Pending)? {
        let parts = url.lastPathComponent.dropLast(suffix.count).split(separator: ".")
        guard parts.count == 4, let p = Int(parts[2]), let priority = Priority(rawValue: p), let size = Int(parts[3]) else { return nil }
        return (String(parts[0]), Pending(url: url, studyKey: String(parts[1]), priority: priority, studySize: size, arrival: arrival(of: url)))
    }

    private func release(_ url: URL, _ body: () throws -> Void) throws {
        let size = Int64((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
        try body()
        usage.withLock { u in
            u.bytes -= size
            u.pending[Self.key(of: url)] = nil
        }
    }

    /// 32 hex digits of the keyed hash of a SOP Instance UID.
    func instanceKey(_ sopInstanceUID: String) throws -> String {
        try store.vault.lookupHash(sopInstanceUID, purpose: "sop-instance-uid").prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    private static func context(_ key: String) -> SealContext {
        SealContext(table: "spool", column: "instance", row: key)
    }
}
