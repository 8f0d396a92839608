import AuditLog
public import Foundation
import GRDB
import RecordStore
public import SuiteFoundation
import Vault

extension StudyStore {
    /// A reader's opinion of the model's verdict, stored with the read.
    public struct ReaderOpinion: Sendable, Equatable {
        public enum Verdict: String, Sendable, StrictStringEnum {
            case agree, disagree
        }

        public var verdict: Verdict
        /// What the reader calls the study (e.g. `normal`, `pneumonia`); letters, digits, `_`, `-`.
        public var label: String?
        /// Free text, sealed before it is written.
        public var note: String?

        /// A label is 1…64 ASCII letters, digits, `_` or `-`.
        public static func isValidLabel(_ label: String) -> Bool {
            !label.isEmpty && label.count <= 64 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }

        public init(verdict: Verdict, label: String? = nil, note: String? = nil) {
            self.verdict = verdict
            self.label = label
            self.note = note
        }
    }

    public enum ReadOutcome: Sendable, Equatable {
        case marked(at: String)
        case alreadyRead(at: String)
        case undone
        case notRead
        case notFound
    }

    /// The study whose id starts with `prefix` (at least 4 characters).
    /// - Throws: `StudyLookupError` when none or several match.
    public func resolve(_ prefix: String) throws -> String {
        guard prefix.count >= 4 else { throw StudyLookupError.prefixTooShort(prefix) }
        let matches = try database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM studies WHERE substr(id, 1, ?) = ? LIMIT 2",
                                arguments: [prefix.count, prefix.lowercased()])
        }
        switch matches.count {
        case 0: throw StudyLookupError.notFound(prefix)
        case 1: return matches[0]
        default: throw StudyLookupError.ambiguous(prefix)
        }
    }

    /// Marks a study reviewed, with who, when and (optionally) the reader's opinion, in the same
    /// transaction as its `review` entry. Marking it again changes nothing.
    public func markRead(id: String, actor: String, opinion: ReaderOpinion? = nil) throws -> ReadOutcome {
        let now = Timestamp.now()
        let key = secure.integrityKey
        let note = try opinion?.note.map { try vault.seal($0, Self.context("read_note_sealed", id)) }
        return try secure.audit.transaction { db -> (ReadOutcome, [AuditEvent]) in
            guard let row = try Row.fetchOne(db, sql: "SELECT read_at FROM studies WHERE id = ?", arguments: [id]) else {
                return (.notFound, [])
            }
            if let at = row["read_at"] as String? { return (.alreadyRead(at: at), []) }
            try db.execute(sql: """
                UPDATE studies SET read_at = ?, read_by = ?, read_opinion = ?, read_label = ?, read_note_sealed = ? WHERE id = ?
                """, arguments: [now, actor, opinion?.verdict.rawValue, opinion?.label, note, id])
            try StudyIntegrity.retag(db, ids: [id], key: key)
            var details: [String: AuditValue] = ["op": .string("mark_read")]
            if let opinion {
                details["opinion"] = .string(opinion.verdict.rawValue)
                if let label = opinion.label { details["label"] = .string(label) }
                details["note"] = .bool(opinion.note != nil)
            }
            return (.marked(at: now), [AuditEvent(actor: actor, action: .review, objectType: "study", objectID: id, details: details)])
        }
    }

    /// Puts a read study back on the worklist: clears the read, the reader and their opinion.
    public func undoRead(id: String, actor: String) throws -> ReadOutcome {
        let key = secure.integrityKey
        return try secure.audit.transaction { db -> (ReadOutcome, [AuditEvent]) in
            guard let row = try Row.fetchOne(db, sql: "SELECT read_at FROM studies WHERE id = ?", arguments: [id]) else {
                return (.notFound, [])
            }
            guard row["read_at"] as String? != nil else { return (.notRead, []) }
            try db.execute(sql: """
                UPDATE studies SET read_at = NULL, read_by = NULL, read_opinion = NULL, read_label = NULL, read_note_sealed = NULL
                WHERE id = ?
                """, arguments: [id])
            try StudyIntegrity.retag(db, ids: [id], key: key)
            return (.undone, [AuditEvent(actor: actor, action: .review, objectType: "study", objectID: id,
                                         details: ["op": .string("undo_read")])])
        }
    }
}

/// A study id prefix that does not name exactly one study.
public enum StudyLookupError: Error, Equatable, CustomStringConvertible {
    case prefixTooShort(String)
    case notFound(String)
    case ambiguous(String)

    public var description: String {
        switch self {
        case .prefixTooShort(let p): "study id '\(p)' is too short: give at least 4 characters"
        case .notFound(let p): "no study id starts with '\(p)'"
        case .ambiguous(let p): "several study ids start with '\(p)': give more characters"
        }
    }
}
