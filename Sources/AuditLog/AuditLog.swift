import Crypto
import Foundation
import GRDB

/// A tamper-evident, append-only log in a store's SQLite database.
///
/// Each entry carries `HMAC-SHA256(audit key, previous hash ‖ canonical entry)`; triggers
/// abort UPDATE and DELETE; after every committed batch a MACed checkpoint (sequence, head
/// hash) is appended to a separate file, so cutting entries off the end is detected too.
/// Appends take SQLite's write lock (`BEGIN IMMEDIATE`), so several processes can append to
/// one store and the chain stays linear.
public final class AuditLog: Sendable {
    let writer: any DatabaseWriter
    let key: SymmetricKey
    let checkpoints: AuditCheckpoints

    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        AuditEntry.registerMigrations(&migrator)
    }

    /// - Parameters:
    ///   - key: the store's audit key (from its vault).
    ///   - checkpointFile: the checkpoint file, kept beside (or better, away from) the database.
    public init(writer: any DatabaseWriter, key: SymmetricKey, checkpointFile: URL) {
        self.writer = writer
        self.key = key
        self.checkpoints = AuditCheckpoints(url: checkpointFile, key: key)
    }

    static let zeroHash = Data(count: 32)

    /// Appends events as one batch (one transaction, one checkpoint); returns their sequence numbers.
    @discardableResult
    public func append(_ events: [AuditEvent], at date: Date = Date()) throws -> [Int64] {
        guard !events.isEmpty else { return [] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let time = Self.timestamp(date)
        let entries: [AuditEntry] = try writer.writeWithoutTransaction { db in
            var written: [AuditEntry] = []
            try db.inTransaction(.immediate) {
                let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                var seq: Int64 = head?["seq"] ?? 0
                var previous: Data = head?["hash"] ?? Self.zeroHash
                for event in events {
                    seq += 1
                    var entry = AuditEntry(
                        seq: seq, time: time, actor: event.actor, action: event.action.rawValue,
                        objectType: event.objectType, objectID: event.objectID, outcome: event.outcome.rawValue,
                        details: String(decoding: try encoder.encode(event.details), as: UTF8.self),
                        prevHash: previous, hash: Data())
                    entry.hash = self.chainHash(previous: previous, entry: entry)
                    try entry.insert(db)
                    previous = entry.hash
                    written.append(entry)
                }
                return .commit
            }
            return written
        }
        try checkpoints.append(.init(seq: entries.last!.seq, hash: entries.last!.hash))
        return entries.map(\.seq)
    }

    public func append(_ event: AuditEvent) throws {
        try append([event])
    }

    func chainHash(previous: Data, entry: AuditEntry) -> Data {
        var message = previous
        message.append(entry.canonicalBytes)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
