import Foundation
import GRDB
import Vault

/// The integrity tag of a study row: a keyed MAC (`IntegrityKey`) over everything the worklist
/// and a reader rely on — status, model, score, decision, urgency, reason, read state, reader and
/// their opinion,
/// the patient pseudonym and the content hash — bound to the row id. Written in the same
/// transaction as the fields; checked on every read, so `UPDATE studies SET urgency = 'routine'`
/// in an SQL shell shows as `integrity failed` instead of re-sorting the worklist.
enum StudyIntegrity {
    /// The tagged columns, in tag order.
    static let columns = ["source_hash", "status", "model_id", "score", "positive", "urgency", "reason", "read_at",
                          "read_by", "read_opinion", "read_label", "patient_id_lookup"]
    static let selection = (["id", "integrity"] + columns).joined(separator: ", ")

    /// The tagged fields of a row selected with `selection` (or `*`), as exact strings: a score
    /// by its bit pattern, blobs in hex.
    static func fields(_ row: Row) -> [String?] {
        columns.map { column in
            let value: DatabaseValue = row[column]
            switch value.storage {
            case .null: return nil
            case .int64(let i): return "i\(i)"
            case .double(let d): return "d\(d.bitPattern)"
            case .string(let s): return "s\(s)"
            case .blob(let b): return "b" + b.map { String(format: "%02x", $0) }.joined()
            }
        }
    }

    static func holds(_ row: Row, key: IntegrityKey) -> Bool {
        key.holds(row["integrity"], table: "studies", row: row["id"], fields: fields(row))
    }

    /// Recomputes the tags of `ids` inside the caller's write transaction.
    static func retag(_ db: Database, ids: [String], key: IntegrityKey) throws {
        for id in ids {
            guard let row = try Row.fetchOne(db, sql: "SELECT \(selection) FROM studies WHERE id = ?", arguments: [id]) else { continue }
            try db.execute(sql: "UPDATE studies SET integrity = ? WHERE id = ?",
                           arguments: [key.tag(table: "studies", row: id, fields: fields(row)), id])
        }
    }

    /// Ids of the rows whose tag fails (a whole-table pass: one HMAC per study).
    static func failing(_ db: Database, key: IntegrityKey) throws -> [String] {
        var failed: [String] = []
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(selection) FROM studies ORDER BY created_at, id")
        while let row = try cursor.next() {
            if !holds(row, key: key) { failed.append(row["id"]) }
        }
        return failed
    }
}
