import AuditLog
import Foundation
import GRDB
import SuiteFoundation
import Vault
public import RecordStore

extension StudyStore {
    /// Copies the studies of `other` (e.g. the store of one shard) that this store does not hold
    /// yet, matched by content hash. Identifying fields, thumbnails and original headers are
    /// opened with `other`'s keys and sealed again under this store's keys; study ids, verdicts,
    /// arrival and read times are kept. Idempotent: merging the same store twice copies nothing
    /// the second time. Each batch of `batchSize` studies is one transaction with its audit
    /// entries (`record.create` here; one `record.export` in `other` per batch). `MergeSummary`
    /// counts studies.
    public func merge(from other: StudyStore, actor: String, batchSize: Int = 200) throws -> MergeSummary {
        try SecureStore.mergePages(from: other.secure, table: "studies", key: "source_hash", batchSize: batchSize,
                                   held: { Set(try existingIDs(hashes: $0).keys) },
                                   copy: { try copy($0, from: other, actor: actor) })
    }

    private static let copiedColumns = """
        format, status, model_id, score, positive, probabilities, urgency, reason, reason_detail, cam, cam_width,
        cam_height, heatmap_path, created_at, scored_at, read_at, read_by
        """

    private func copy(_ rows: [Row], from other: StudyStore, actor: String) throws {
        let takenIDs = try database.read { db in
            try Set(String.fetchAll(db, sql: "SELECT id FROM studies WHERE id IN (\(rows.map { _ in "?" }.joined(separator: ",")))",
                                    arguments: StatementArguments(rows.map { $0["id"] as String })))
        }
        // Open under the other store's keys and seal under ours before the write transaction.
        var inserts: [(id: String, arguments: StatementArguments)] = []
        for row in rows {
            let sourceID: String = row["id"]
            let id = takenIDs.contains(sourceID) ? RecordID.make() : sourceID
            let identity = try other.decode(row, decrypt: true).identity ?? Identity()
            let thumbnail = try (row["thumbnail_sealed"] as Data?).map {
                try vault.seal(try other.vault.open($0, Self.context("thumbnail_sealed", sourceID)), Self.context("thumbnail_sealed", id))
            }
            var headers: Data?, headersKey: Int64?
            if let original = try other.originalHeaders(id: sourceID) {
                headersKey = try vault.createRecordKey()
                headers = try vault.seal(original, Self.context("headers_sealed", id), recordKey: headersKey!)
            }
            let copied = Self.copiedColumns.split(separator: ",").map { row[$0.trimmingCharacters(in: .whitespacesAndNewlines)] as DatabaseValue }
            inserts.append((id, [id, row["source_hash"] as String] + StatementArguments(copied)
                                + StatementArguments(try sealedIdentity(identity, id: id)) + [thumbnail, headers, headersKey]))
        }
        let marks = Array(repeating: "?", count: 2 + 17 + 8 + 3).joined(separator: ", ")
        let key = secure.integrityKey
        try secure.audit.transaction { db -> ((), [AuditEvent]) in
            var events: [AuditEvent] = []
            for (id, arguments) in inserts {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO studies (id, source_hash, \(Self.copiedColumns), \(Self.identityColumns),
                        thumbnail_sealed, headers_sealed, headers_key_id)
                    VALUES (\(marks))
                    """, arguments: arguments)
                if db.changesCount == 1 {
                    try StudyIntegrity.retag(db, ids: [id], key: key)
                    events.append(AuditEvent(actor: actor, action: .recordCreate, objectType: "study", objectID: id,
                                             details: ["op": .string("merge")]))
                }
            }
            return ((), events)
        }
        try other.secure.audit.append(AuditEvent(actor: actor, action: .recordExport, objectType: "store", objectID: "studies",
                                                 details: ["op": .string("merge"), "count": .int(rows.count)]))
    }
}
