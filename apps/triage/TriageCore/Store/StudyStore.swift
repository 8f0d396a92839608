import AuditLog
public import Foundation
import GRDB
public import RecordStore
import SuiteFoundation
public import Vault

/// The triage record store: studies keyed by content hash, identifying fields sealed.
public final class StudyStore: Sendable {
    public static let product = "triage"
    public static let keysVariable = "TRIAGE_KEYS"

    public let secure: SecureStore
    var database: DatabasePool { secure.database }
    var vault: Vault { secure.vault }

    /// - Parameter access: `.ordinary` refuses a store whose audit chain is broken (see `SecureStore.Access`).
    public init(location: StoreLocation, environment: [String: String] = ProcessInfo.processInfo.environment,
                access: SecureStore.Access = .ordinary) throws {
        secure = try SecureStore(product: Self.product, location: location, keysVariable: Self.keysVariable,
                                 environment: environment, access: access, migrations: TriageSchema.registerMigrations)
        if access != .inspect {
            // Rows written before "triage v3 integrity" have no tag: tag them once in the store's life.
            let key = secure.integrityKey
            try secure.once(objectType: "integrity", objectID: Self.product, op: "tag-legacy-rows", actor: "triage-store") { db in
                let untagged = try String.fetchAll(db, sql: "SELECT id FROM studies WHERE integrity IS NULL")
                try StudyIntegrity.retag(db, ids: untagged, key: key)
                return ["studies": .int(untagged.count)]
            }
        }
    }

    /// The identifying part of a study, as read from its file.
    public struct Identity: Sendable, Equatable, Codable {
        package var patientName: String?
        package var patientID: String?
        package var birthDate: String?
        package var accession: String?
        package var sourcePath: String?
        /// The DICOM Study Instance UID: stored only as a keyed hash (`Study.dicomStudy`), which
        /// groups a study's images; never decrypted back.
        package var studyInstanceUID: String?

        public init(patientName: String? = nil, patientID: String? = nil, birthDate: String? = nil,
                    accession: String? = nil, sourcePath: String? = nil, studyInstanceUID: String? = nil) {
            self.studyInstanceUID = studyInstanceUID
            self.patientName = patientName
            self.patientID = patientID
            self.birthDate = birthDate
            self.accession = accession
            self.sourcePath = sourcePath
        }
    }

    /// A study as stored; `identity` only when decrypted.
    public struct Study: Sendable, Equatable, Codable {
        public var id: String
        package var sourceHash: String
        public var format: String
        public var status: StudyStatus
        public var modelID: String?
        /// Calibrated probability of the finding, 0…1 (scored studies).
        public var score: Double?
        public var positive: Bool?
        package var probabilities: [String: Double]?
        public var urgency: Urgency?
        /// Why the model did not assess it (`unsupported_photometry`, `not_radiograph`, `lateral_view`) and the detail.
        public var reason: String?
        package var reasonDetail: String?
        /// When the study arrived in this store (ISO 8601, UTC); the worklist's waiting time starts here.
        public var createdAt: String
        package var scoredAt: String?
        package var readAt: String?
        /// Who marked it read, their opinion (`agree`/`disagree`) and label; the note only when decrypted.
        package var readBy: String?
        package var readOpinion: String?
        package var readLabel: String?
        package var readNote: String?
        /// `patient-` and 16 hex digits of the keyed hash of the Patient ID: groups a patient's
        /// studies without revealing who it is (nil without a Patient ID).
        public var patient: String?
        /// `study-` and 16 hex digits of the keyed hash of the DICOM Study Instance UID: the
        /// images of one DICOM study share it (nil for PNG/JPEG, or DICOM without the UID).
        public var dicomStudy: String?
        public var identity: Identity?
        /// The row's integrity tag fails: its fields were edited outside the product (`StudyIntegrity`).
        public var integrityFailed = false
    }

    static func context(_ column: String, _ id: String) -> SealContext {
        SealContext(table: "studies", column: column, row: id, schemaVersion: TriageSchema.schemaVersion)
    }

    /// Registers a study once per content hash (idempotent); returns its id and whether it was new.
    @discardableResult
    package func register(sourceHash: String, format: String, identity: Identity, originalHeaders: Data?,
                         actor: String) throws -> (id: String, created: Bool) {
        if let existing = try database.read({ db in
            try String.fetchOne(db, sql: "SELECT id FROM studies WHERE source_hash = ?", arguments: [sourceHash])
        }) { return (existing, false) }
        let id = RecordID.make()
        let headersKey = try originalHeaders.map { _ in try vault.createRecordKey() }
        let headers = try originalHeaders.map { try vault.seal($0, Self.context("headers_sealed", id), recordKey: headersKey!) }
        let arguments: StatementArguments = [id, sourceHash, format, Timestamp.now()]
            + StatementArguments(try sealedIdentity(identity, id: id)) + [headers, headersKey]
        let key = secure.integrityKey
        let inserted = try secure.audit.transaction { db -> (Bool, [AuditEvent]) in
            try db.execute(sql: """
                INSERT OR IGNORE INTO studies (id, source_hash, format, status, created_at, \(Self.identityColumns),
                    headers_sealed, headers_key_id)
                VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: arguments)
            guard db.changesCount == 1 else { return (false, []) }
            try StudyIntegrity.retag(db, ids: [id], key: key)
            return (true, [AuditEvent(actor: actor, action: .recordCreate, objectType: "study", objectID: id)])
        }
        if !inserted {
            // A concurrent writer registered the same content first.
            if let key = headersKey { try vault.shred(recordKey: key) }
            let existing = try database.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM studies WHERE source_hash = ?", arguments: [sourceHash])
            }
            return (existing!, false)
        }
        return (id, true)
    }

    /// The identity columns of a new row, in the order of `identityColumns`: each field sealed
    /// for row `id`, patient ID and accession also as keyed lookup hashes.
    func sealedIdentity(_ identity: Identity, id: String) throws -> [(any DatabaseValueConvertible)?] {
        func seal(_ value: String?, _ column: String) throws -> Data? {
            try value.map { try vault.seal($0, Self.context("\(column)_sealed", id)) }
        }
        return [
            try seal(identity.patientName, "patient_name"), try seal(identity.patientID, "patient_id"),
            try identity.patientID.map { try vault.lookupHash($0, purpose: "patient_id") },
            try seal(identity.birthDate, "birth_date"), try seal(identity.accession, "accession"),
            try identity.accession.map { try vault.lookupHash($0, purpose: "accession") },
            try seal(identity.sourcePath, "source_path"),
            try identity.studyInstanceUID.map { try vault.lookupHash($0, purpose: "study_instance_uid") },
        ]
    }

    static let identityColumns = """
        patient_name_sealed, patient_id_sealed, patient_id_lookup, birth_date_sealed, accession_sealed, \
        accession_lookup, source_path_sealed, study_uid_lookup
        """

    /// A study, with its identity (and the reader's note) decrypted when `identity`; audited as a
    /// `record.read` then, else as a `query`.
    package func study(id: String, actor: String, identity: Bool = true) throws -> Study? {
        guard let row = try database.read({ try Row.fetchOne($0, StudyRecord.filter(key: id)) }) else { return nil }
        let study = try decode(row, decrypt: identity)
        try secure.audit.append(AuditEvent(actor: actor, action: identity ? .recordRead : .query, objectType: "study", objectID: id,
                                           outcome: study.integrityFailed ? .failure : .success))
        return study
    }

    /// Ids of the studies of a patient ID, through its keyed hash.
    package func studyIDs(patientID: String) throws -> [String] {
        let lookup = try vault.lookupHash(patientID, purpose: "patient_id")
        return try database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM studies WHERE patient_id_lookup = ? ORDER BY created_at", arguments: [lookup])
        }
    }

    /// The original headers of a study, unless they were shredded.
    package func originalHeaders(id: String) throws -> Data? {
        guard let row = try database.read({ try Row.fetchOne($0, sql: "SELECT headers_sealed FROM studies WHERE id = ?", arguments: [id]) }),
              let sealed = row["headers_sealed"] as Data?
        else { return nil }
        return try vault.open(sealed, Self.context("headers_sealed", id))
    }

    /// Deletes the per-study key of the original headers: they become unrecoverable.
    package func shredHeaders(id: String, actor: String) throws {
        guard let key = try database.read({ try Int64.fetchOne($0, sql: "SELECT headers_key_id FROM studies WHERE id = ?", arguments: [id]) })
        else { return }
        try vault.shred(recordKey: key)
        try secure.audit.append(AuditEvent(actor: actor, action: .recordDelete, objectType: "study", objectID: id,
                                           details: ["shredded": .string("original_headers")]))
    }

    /// A stored row as a `Study`, its identity opened when `decrypt`.
    /// - Throws: `CorruptRecordError` naming the column of a value that does not read back.
    func decode(_ row: Row, decrypt: Bool) throws -> Study {
        let r = try StudyRecord.decodeStored(row)
        let intact = StudyIntegrity.holds(row, key: secure.integrityKey)
        func open(_ sealed: Data?, _ column: String) throws -> String? {
            try sealed.map { try vault.openString($0, Self.context("\(column)_sealed", r.id)) }
        }
        let identity = decrypt ? Identity(patientName: try open(r.patientNameSealed, "patient_name"),
                                          patientID: try open(r.patientIDSealed, "patient_id"),
                                          birthDate: try open(r.birthDateSealed, "birth_date"),
                                          accession: try open(r.accessionSealed, "accession"),
                                          sourcePath: try open(r.sourcePathSealed, "source_path")) : nil
        let probabilities = try StudyRecord.decodeStoredJSON([String: Double].self, r.probabilities,
                                                             column: StudyRecord.CodingKeys.probabilities.rawValue, row: row)
        return Study(id: r.id, sourceHash: r.sourceHash, format: r.format, status: r.status, modelID: r.modelID,
                     score: r.score, positive: r.positive, probabilities: probabilities, urgency: r.urgency,
                     reason: r.reason, reasonDetail: r.reasonDetail, createdAt: r.createdAt, scoredAt: r.scoredAt,
                     readAt: r.readAt, readBy: r.readBy, readOpinion: r.readOpinion, readLabel: r.readLabel,
                     readNote: decrypt ? try open(r.readNoteSealed, "read_note") : nil,
                     patient: r.patientIDLookup.map { Self.pseudonym($0) }, dicomStudy: r.studyUIDLookup.map { Self.pseudonym($0, prefix: "study-") },
                     identity: identity,
                     integrityFailed: !intact)
    }

    static func pseudonym(_ lookup: Data, prefix: String = "patient-") -> String {
        prefix + lookup.prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

extension StudyStore: RecordExporting {
    public var sealedColumns: [SealedColumn] { TriageSchema.sealedColumns }

    /// One JSON line per study: decrypted identity, or none with a pseudonymous patient key.
    public func exportRecords(to sink: (Data) throws -> Void, deidentify: Bool) throws -> Int {
        let encoder = JSONOutput.encoder()
        let rows = try database.read { db in
            try Row.fetchAll(db, StudyRecord.order(StudyRecord.Columns.createdAt, StudyRecord.Columns.id))
        }
        for row in rows {
            var study = try decode(row, decrypt: !deidentify)
            if deidentify, let lookup = row["patient_id_lookup"] as Data? {
                study.identity = Identity(patientID: Self.pseudonym(lookup))
            }
            try sink(try encoder.encode(study) + Data("\n".utf8))
        }
        return rows.count
    }
}

extension StudyStore {
    /// Every study's integrity tag, and every `record.create` study of the audit trail against the table.
    public func verifyRecords() throws -> RecordVerification {
        let key = secure.integrityKey
        let (ids, failing) = try database.read { db in
            (Set(try String.fetchAll(db, sql: "SELECT id FROM studies")), try StudyIntegrity.failing(db, key: key))
        }
        let missing = try secure.auditedCreations(of: "study").subtracting(ids).sorted()
        return RecordVerification(checked: ids.count, integrityFailed: failing.map { "studies/\($0)" },
                                  missing: missing.map { "study/\($0)" })
    }
}
