public import GRDB
import RecordStore
public import Vault

/// The assistant's tables. Person-typed text (ticket text, customer e-mail, a reviewer's reason
/// and edited answer) is sealed; the e-mail is findable through a keyed hash; only
/// non-identifying columns are indexed. Tickets, answers, feedback and API tokens carry an
/// `integrity` tag (`AssistantIntegrity`) over the fields their decision rests on.
enum AssistantSchema {
    /// The schema version bound into every seal context (unchanged since v1: a new version
    /// would make the values sealed under the old one unreadable).
    static let schemaVersion = 1

    /// Every sealed column, for `keys rotate --reencrypt`.
    static let sealedColumns = [
        SealedColumn(table: "tickets", column: "text_sealed", rowColumn: "id", schemaVersion: schemaVersion),
        SealedColumn(table: "tickets", column: "email_sealed", rowColumn: "id", schemaVersion: schemaVersion),
        SealedColumn(table: "feedback", column: "edited_text_sealed", rowColumn: "id", schemaVersion: schemaVersion),
        SealedColumn(table: "feedback", column: "reason_sealed", rowColumn: "id", schemaVersion: schemaVersion),
    ]

    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("assistant v1") { db in
            try db.create(table: "tickets") { t in
                t.primaryKey("id", .text)
                t.column("created_at", .text).notNull()
                t.column("source", .text).notNull().check(sql: "source IN ('cli', 'batch', 'http')")
                t.column("status", .text).notNull().check(sql: "status IN ('open', 'answered', 'escalated')")
                t.column("text_sealed", .blob).notNull()
                t.column("email_sealed", .blob)
                t.column("email_lookup", .blob)
                t.check(sql: "(email_sealed IS NULL) = (email_lookup IS NULL)")
            }
            try db.create(index: "tickets_created_at", on: "tickets", columns: ["created_at"])
            try db.create(index: "tickets_status", on: "tickets", columns: ["status"])
            try db.create(index: "tickets_email_lookup", on: "tickets", columns: ["email_lookup"])

            try db.create(table: "answers") { t in
                t.primaryKey("id", .text)
                t.column("ticket_id", .text).notNull().references("tickets", onDelete: .cascade)
                t.column("decision", .text).notNull().check(sql: "decision IN ('answer', 'escalate')")
                t.column("reason", .text)
                t.column("intent", .text)
                t.column("confidence", .double).check(sql: "confidence BETWEEN 0 AND 1")
                t.column("article_ids", .text).notNull().defaults(to: "[]")
                t.column("model_version", .text).notNull()
                t.column("kb_version", .text).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(index: "answers_ticket", on: "answers", columns: ["ticket_id"])

            try db.create(table: "feedback") { t in
                t.primaryKey("id", .text)
                t.column("answer_id", .text).notNull().references("answers", onDelete: .cascade)
                t.column("verdict", .text).notNull().check(sql: "verdict IN ('accept', 'edit', 'reject')")
                t.column("reason", .text)
                t.column("edited_text_sealed", .blob)
                t.column("actor", .text).notNull()
                t.column("created_at", .text).notNull()
                t.check(sql: "(verdict = 'edit') = (edited_text_sealed IS NOT NULL)")
            }
            try db.create(index: "feedback_answer", on: "feedback", columns: ["answer_id"])

            try db.create(table: "api_tokens") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull().unique()
                t.column("role", .text).notNull().check(sql: "role IN ('agent', 'admin')")
                t.column("token_hash", .blob).notNull().unique()
                t.column("created_at", .text).notNull()
                t.column("revoked_at", .text)
            }
        }
        // Rows of v1 have no tag yet: `AssistantStore.tagLegacyRows` tags them once, at the first
        // open with the key (SQL cannot compute a keyed MAC).
        migrator.registerMigration("assistant v2 integrity") { db in
            for table in ["tickets", "answers", "feedback", "api_tokens"] {
                try db.alter(table: table) { t in t.add(column: "integrity", .blob) }
            }
        }
        // v1 kept a reviewer's reason in clear; the first open with the key seals it into
        // `reason_sealed` and clears `reason` (`AssistantStore.tagLegacyRows`).
        migrator.registerMigration("assistant v3 sealed feedback reason") { db in
            try db.alter(table: "feedback") { t in t.add(column: "reason_sealed", .blob) }
        }
        // The model registry (`ModelRegistry`): versions, promotions and the active version.
        ModelRegistry.registerMigrations(&migrator)
    }
}
