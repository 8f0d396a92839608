public import Crypto
public import Foundation
public import GRDB
import SuiteFoundation

/// A tamper-evident, append-only log in a store's SQLite database.
///
/// Each entry carries `HMAC-SHA256(audit key, previous hash ‖ canonical entry)`; triggers
/// abort UPDATE and DELETE; after every committed batch a chained, MACed checkpoint (sequence,
/// head hash) is appended to a separate file and sent to the witnesses outside the store's
/// folder, so cutting entries off the end is detected too.
/// Appends take SQLite's write lock (`BEGIN IMMEDIATE`), so several processes can append to
/// one store and the chain stays linear.
public final class AuditLog: Sendable {
    let writer: any DatabaseWriter
    let key: SymmetricKey
    let checkpoints: AuditCheckpoints
    let witness: AuditWitness

    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        AuditEntry.registerMigrations(&migrator)
    }

    /// - Parameters:
    ///   - key: the store's audit key (from its vault).
    ///   - checkpointFile: the checkpoint file, kept beside (or better, away from) the database.
    ///   - storeID: the store's identity, bound into checkpoints and witness lines.
    ///   - witnesses: where each checkpoint is also sent; the first is the default witness file.
    public init(writer: any DatabaseWriter, key: SymmetricKey, checkpointFile: URL, product: String, storeID: String,
                witnesses: [WitnessTarget]) {
        self.writer = writer
        self.key = key
        self.checkpoints = AuditCheckpoints(url: checkpointFile, key: key, storeID: storeID)
        self.witness = AuditWitness(product: product, storeID: storeID, key: key, targets: witnesses)
    }

    static let zeroHash = Data(count: 32)

    /// Appends events as one batch (one transaction, one checkpoint); returns their sequence numbers.
    @discardableResult
    public func append(_ events: [AuditEvent], at date: Date = Date()) throws -> [Int64] {
        guard !events.isEmpty else { return [] }
        return try committed(at: date) { _ in ((), events) }.seqs
    }

    /// Runs `body` in one immediate write transaction and appends the audit events it returns
    /// inside the same transaction, so the records an action writes and their audit entries
    /// commit together or not at all. The checkpoint line follows the commit; when only that
    /// fails the error is `AuditError.checkpointIO` and the transaction stays committed (the
    /// checkpoint then lags the log, which `verify` accepts).
    package func transaction<T>(at date: Date = Date(), _ body: (Database) throws -> (T, [AuditEvent])) throws -> T {
        try committed(at: date, body).value
    }

    private func committed<T>(at date: Date, _ body: (Database) throws -> (T, [AuditEvent])) throws
        -> (value: T, seqs: [Int64]) {
        let (value, seqs, head): (T, [Int64], Data) = try writer.writeWithoutTransaction { db in
            var result: (T, [Int64], Data)?
            try db.inTransaction(.immediate) {
                let (value, events) = try body(db)
                let (seqs, head) = try self.insert(events, db, at: date)
                result = (value, seqs, head)
                return .commit
            }
            return result!
        }
        if let last = seqs.last {
            let checkpoint = AuditCheckpoints.Checkpoint(seq: last, hash: head)
            try checkpoints.append(checkpoint)
            witness.publish(checkpoint)
        }
        return (value, seqs)
    }

    /// Inserts the entries after the current head; returns their sequence numbers and the new head hash.
    private func insert(_ events: [AuditEvent], _ db: Database, at date: Date) throws -> ([Int64], Data) {
        let encoder = JSONOutput.encoder()
        let time = Timestamp.string(date)
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        var seq: Int64 = head?["seq"] ?? 0
        var previous: Data = head?["hash"] ?? Self.zeroHash
        var seqs: [Int64] = []
        for event in events {
            seq += 1
            var entry = AuditEntry(
                seq: seq, time: time, actor: event.actor, action: event.action.rawValue,
                objectType: event.objectType, objectID: event.objectID, outcome: event.outcome.rawValue,
                details: String(decoding: try encoder.encode(event.details), as: UTF8.self),
                prevHash: previous, hash: Data())
            entry.hash = chainHash(previous: previous, entry: entry)
            try entry.insert(db)
            previous = entry.hash
            seqs.append(seq)
        }
        return (seqs, previous)
    }

    public func append(_ event: AuditEvent) throws {
        try append([event])
    }

    func chainHash(previous: Data, entry: AuditEntry) -> Data {
        var message = previous
        message.append(entry.canonicalBytes)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }
}
