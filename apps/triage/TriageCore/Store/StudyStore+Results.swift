import AuditLog
public import Foundation
import GRDB
import SuiteFoundation
import Vault
import RecordStore

extension StudyStore {
    /// Stores a batch of results in one transaction together with their audit entries
    /// (`record.create` for each new study, `inference` for each verdict), so after a crash a
    /// result is either stored and audited or absent. A study already present (same content
    /// hash) keeps its id and identity and takes the new verdict.
    /// - Throws: `StudyStoreError.checkpointNotWritten` when the results were committed but the
    ///   audit checkpoint file could not be appended to (e.g. a full disk); any other error
    ///   means nothing was stored.
    /// - Returns: the study id of each result, in order.
    @discardableResult
    public func record(_ results: [StudyResult], actor: String) throws -> [String] {
        guard !results.isEmpty else { return [] }
        let hashes = results.map(\.sourceHash)
        var known = try existingIDs(hashes: hashes)
        // Sealing reads the vault's keys, so it happens before the write transaction.
        var rows: [(id: String, isNew: Bool, identity: [(any DatabaseValueConvertible)?], thumbnail: Data?)] = []
        for result in results {
            let existing = known[result.sourceHash]
            let id = existing ?? RecordID.make()
            known[result.sourceHash] = id  // the same content twice in one batch is one study
            let thumbnail = try result.thumbnail.map { try vault.seal($0, Self.context("thumbnail_sealed", id)) }
            rows.append((id, existing == nil,
                         existing == nil ? try sealedIdentity(result.identity, id: id) : [], thumbnail))
        }
        let now = Timestamp.now()
        let key = secure.integrityKey
        do {
            try secure.audit.transaction { db -> ((), [AuditEvent]) in
                var events: [AuditEvent] = []
                for (result, row) in zip(results, rows) {
                    var id = row.id, thumbnail = row.thumbnail
                    if row.isNew {
                        try db.execute(sql: """
                            INSERT OR IGNORE INTO studies (id, source_hash, format, status, created_at, \(Self.identityColumns))
                            VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [id, result.sourceHash, result.format, now] + StatementArguments(row.identity))
                        if db.changesCount == 1 {
                            events.append(AuditEvent(actor: actor, action: .recordCreate, objectType: "study", objectID: id))
                        } else if let other = try String.fetchOne(
                            db, sql: "SELECT id FROM studies WHERE source_hash = ?", arguments: [result.sourceHash]) {
                            id = other  // another process stored this content first; its row wins
                            thumbnail = nil  // sealed for our id, it would not open under theirs
                        }
                    }
                    try Self.update(db, id: id, with: result, thumbnail: thumbnail, at: now)
                    try StudyIntegrity.retag(db, ids: [id], key: key)
                    events.append(Self.inferenceEvent(result, id: id, actor: actor))
                }
                return ((), events)
            }
        } catch let error as AuditError {
            guard case .checkpointIO = error else { throw error }
            throw StudyStoreError.checkpointNotWritten(reason: "\(error)")
        }
        return rows.map(\.id)
    }

    private static func update(_ db: Database, id: String, with result: StudyResult, thumbnail: Data?, at now: String) throws {
        var arguments: StatementArguments
        switch result.verdict {
        case .scored(let s):
            let probabilities = try JSONOutput.string(s.probabilities)
            arguments = [StudyStatus.scored.rawValue, result.modelID, s.score, s.positive, probabilities, s.urgency.rawValue, nil, nil,
                         s.activation.littleEndianBytes, s.activation.width, s.activation.height]
        case .notAssessable(let reason, let detail):
            arguments = [StudyStatus.notAssessable.rawValue, result.modelID, nil, nil, nil, nil, reason, detail, nil, nil, nil]
        case .failed(let reason, let detail):
            arguments = [StudyStatus.failed.rawValue, result.modelID, nil, nil, nil, nil, reason, detail, nil, nil, nil]
        }
        arguments += [thumbnail, now, id]
        try db.execute(sql: """
            UPDATE studies SET status = ?, model_id = ?, score = ?, positive = ?, probabilities = ?, urgency = ?,
                reason = ?, reason_detail = ?, cam = ?, cam_width = ?, cam_height = ?,
                thumbnail_sealed = COALESCE(?, thumbnail_sealed), scored_at = ?
            WHERE id = ?
            """, arguments: arguments)
    }

    private static func inferenceEvent(_ result: StudyResult, id: String, actor: String) -> AuditEvent {
        var details: [String: AuditValue] = ["model": .string(result.modelID)]
        switch result.verdict {
        case .scored(let s):
            details["urgency"] = .string(s.urgency.rawValue)
            details["positive"] = .bool(s.positive)
        case .notAssessable(let reason, _):
            details["not_assessable"] = .string(reason)
        case .failed(let reason, _):
            details["failed"] = .string(reason)
        }
        return AuditEvent(actor: actor, action: .inference, objectType: "study", objectID: id, details: details)
    }

    /// Study ids by content hash, for the hashes that are stored.
    func existingIDs(hashes: [String]) throws -> [String: String] {
        try database.read { db in
            var ids: [String: String] = [:]
            for chunk in stride(from: 0, to: hashes.count, by: 500).map({ Array(hashes[$0..<min($0 + 500, hashes.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT id, source_hash FROM studies WHERE source_hash IN (\(marks))",
                                            arguments: StatementArguments(chunk)) {
                    ids[row["source_hash"]] = row["id"]
                }
            }
            return ids
        }
    }

    /// The key of an input entry that could not be read, in place of the SHA-256 of its bytes:
    /// `HMAC-SHA256` of its name (`archive:inner/path`, or the file's path) under the store's
    /// lookup key, lowercase hex (so equal names give equal keys, and the name cannot be guessed
    /// back from the key). Call it outside any database access (the vault reads its keys).
    package func unreadableEntryKey(_ name: String) throws -> String {
        try vault.lookupHash(name, purpose: "unreadable_entry").map { String(format: "%02x", $0) }.joined()
    }

    /// Content hashes that already carry a verdict of `modelID` (what a re-run or `--resume` skips).
    public func completedHashes(modelID: String) throws -> Set<String> {
        try database.read { db in
            Set(try String.fetchAll(db, StudyRecord.select(StudyRecord.Columns.sourceHash)
                .filter(StudyStatus.withVerdict.map(\.rawValue).contains(StudyRecord.Columns.status))
                .filter(StudyRecord.Columns.modelID == modelID)))
        }
    }

    /// The stored studies of these content hashes (identity not decrypted), in the hashes' order.
    public func studies(hashes: [String]) throws -> [Study] {
        let ids = try existingIDs(hashes: hashes)
        var seen = Set<String>()
        let wanted = hashes.compactMap { ids[$0] }.filter { seen.insert($0).inserted }
        return try database.read { db in
            try wanted.compactMap { id in
                try Row.fetchOne(db, StudyRecord.filter(key: id)).map { try decode($0, decrypt: false) }
            }
        }
    }

    /// The class activation map of a scored study.
    package func activation(id: String) throws -> ActivationMap? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT cam, cam_width, cam_height FROM studies WHERE id = ?", arguments: [id]),
                  let data = row["cam"] as Data?, let w = row["cam_width"] as Int?, let h = row["cam_height"] as Int?
            else { return nil }
            return ActivationMap(littleEndian: data, width: w, height: h)
        }
    }

    /// The thumbnail of a study (8-bit gray PNG), decrypted. Callers audit what they do with it.
    package func thumbnail(id: String) throws -> Data? {
        guard let sealed = try database.read({ db in
            try Data.fetchOne(db, sql: "SELECT thumbnail_sealed FROM studies WHERE id = ?", arguments: [id])
        }) else { return nil }
        return try vault.open(sealed, Self.context("thumbnail_sealed", id))
    }
}

enum StudyStoreError: Error, CustomStringConvertible, Equatable {
    /// The results and their audit entries are committed; only the checkpoint line is missing
    /// (`audit verify` still passes; the next committed batch writes a checkpoint again).
    case checkpointNotWritten(reason: String)

    var description: String {
        switch self {
        case .checkpointNotWritten(let reason): "results stored, but the audit checkpoint file could not be written: \(reason)"
        }
    }
}
