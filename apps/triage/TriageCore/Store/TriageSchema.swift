public import GRDB
import RecordStore
public import Vault

/// The triage tables. Identifying DICOM fields (patient name, ID, birth date, accession
/// number), the source path, the thumbnail and the original headers are sealed; patient ID and
/// accession number are findable through keyed hashes; only non-identifying columns are indexed.
package enum TriageSchema {
    /// The schema version bound into every sealed value (unchanged by migrations that only add
    /// columns, so values sealed before them still open).
    package static let schemaVersion = 1

    package static let sealedColumns = ["patient_name", "patient_id", "birth_date", "accession", "source_path", "thumbnail",
                                        "read_note"].map {
        SealedColumn(table: "studies", column: "\($0)_sealed", rowColumn: "id", schemaVersion: schemaVersion)
    }

    package static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("triage v1") { db in
            try db.create(table: "studies") { t in
                t.primaryKey("id", .text)
                t.column("source_hash", .text).notNull().unique()
                t.column("format", .text).notNull().check(sql: "format IN ('png', 'jpeg', 'dicom')")
                t.column("status", .text).notNull().check(sql: "status IN ('pending', 'scored', 'not_assessable', 'failed', 'read')")
                t.column("model_id", .text)
                t.column("score", .double).check(sql: "score BETWEEN 0 AND 1")
                t.column("probabilities", .text)
                t.column("urgency", .text).check(sql: "urgency IN ('routine', 'priority', 'urgent')")
                t.column("heatmap_path", .text)
                t.column("reason", .text)
                t.column("created_at", .text).notNull()
                t.column("read_at", .text)
                t.column("patient_name_sealed", .blob)
                t.column("patient_id_sealed", .blob)
                t.column("patient_id_lookup", .blob)
                t.column("birth_date_sealed", .blob)
                t.column("accession_sealed", .blob)
                t.column("accession_lookup", .blob)
                t.column("source_path_sealed", .blob)
                // Original headers under a per-study key: deleting the key shreds them.
                t.column("headers_sealed", .blob)
                t.column("headers_key_id", .integer).references("vault_keys")
                t.check(sql: "(headers_sealed IS NULL) = (headers_key_id IS NULL)")
            }
            for columns in [["status", "urgency", "score"], ["created_at"], ["patient_id_lookup"], ["accession_lookup"]] {
                try db.create(index: "studies_" + columns.joined(separator: "_"), on: "studies", columns: columns)
            }
        }
        // Scores of `triage batch`: the decision, the class activation map (float32 little-endian,
        // row-major, cam_height × cam_width), the reason detail of a not-assessable verdict, a
        // sealed thumbnail (8-bit gray PNG, longest side 128) for reports, and when it was scored.
        migrator.registerMigration("triage v2 scores") { db in
            try db.alter(table: "studies") { t in
                t.add(column: "positive", .boolean)
                t.add(column: "reason_detail", .text)
                t.add(column: "cam", .blob)
                t.add(column: "cam_width", .integer).check(sql: "cam_width > 0")
                t.add(column: "cam_height", .integer).check(sql: "cam_height > 0")
                t.add(column: "thumbnail_sealed", .blob)
                t.add(column: "scored_at", .text)
            }
            try db.create(index: "studies_unread", on: "studies", columns: ["read_at", "status"])
        }
        // Integrity tags (`StudyIntegrity`), who marked a study read and their opinion. Rows from before this
        // migration are tagged once, at the first open with the key (`StudyStore.init`).
        migrator.registerMigration("triage v3 integrity") { db in
            try db.alter(table: "studies") { t in
                t.add(column: "integrity", .blob)
                t.add(column: "read_by", .text)
                // The reader's opinion when marking read: agree or disagree with the model, an
                // optional label, and a note (sealed: a person types it).
                t.add(column: "read_opinion", .text).check(sql: "read_opinion IN ('agree', 'disagree')")
                t.add(column: "read_label", .text)
                t.add(column: "read_note_sealed", .blob)
            }
        }
        // Instances `triage serve` received and scored, by the keyed hash of the SOP Instance UID
        // (`InstanceSpool`): a second copy is answered as a duplicate. `received_at` is when the
        // instance was spooled (its C-STORE answered), so `studies.scored_at - received_at` is the
        // time from receipt to verdict. Not copied by `merge`.
        migrator.registerMigration("triage v4 received instances") { db in
            try db.create(table: "received_instances") { t in
                t.primaryKey("instance_key", .text)
                t.column("source_hash", .text).notNull()
                t.column("received_at", .text).notNull()
            }
        }
        // Bearer tokens of `triage serve`'s HTTP routes (`APITokens`): secrets stored hashed, rows tagged.
        migrator.registerMigration("triage v5 api tokens") { db in
            try APITokens<StudyStore.Role>.createTable(db, roles: StudyStore.Role.allCases)
        }
        // The keyed hash of the DICOM Study Instance UID (`Study.dicomStudy`): the images of one study
        // are found together without the UID in clear. Rows of earlier versions have none; `merge`
        // cannot carry it (another store's key) and leaves it empty.
        migrator.registerMigration("triage v6 dicom study") { db in
            try db.alter(table: "studies") { t in t.add(column: "study_uid_lookup", .blob) }
            try db.create(index: "studies_study_uid_lookup", on: "studies", columns: ["study_uid_lookup"])
        }
        // The model registry (`ModelRegistry`): versions, promotions and the active version.
        ModelRegistry.registerMigrations(&migrator)
    }
}
