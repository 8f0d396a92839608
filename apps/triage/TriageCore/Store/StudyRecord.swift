import Foundation
import GRDB
import RecordStore

/// One row of the `studies` table as stored (migrations in `TriageSchema`): the typed,
/// non-identifying columns and the sealed ones still sealed. `StudyStore` turns it into a
/// `StudyStore.Study`, opening the sealed columns only when asked.
struct StudyRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "studies"

    var id: String
    var sourceHash: String
    var format: String
    var status: StudyStatus
    var modelID: String?
    var score: Double?
    var positive: Bool?
    /// `[label: probability]` as JSON text (decoded by `StudyStore` with the column named in errors).
    var probabilities: String?
    var urgency: Urgency?
    var reason: String?
    var reasonDetail: String?
    var createdAt: String
    var scoredAt: String?
    var readAt: String?
    var readBy: String?
    var readOpinion: String?
    var readLabel: String?
    var readNoteSealed: Data?
    var patientIDLookup: Data?
    var patientNameSealed: Data?
    var patientIDSealed: Data?
    var birthDateSealed: Data?
    var accessionSealed: Data?
    var sourcePathSealed: Data?
    var studyUIDLookup: Data?

    enum CodingKeys: String, CodingKey {
        case id, format, status, score, positive, probabilities, urgency, reason
        case sourceHash = "source_hash", modelID = "model_id", reasonDetail = "reason_detail"
        case createdAt = "created_at", scoredAt = "scored_at", readAt = "read_at", readBy = "read_by"
        case readOpinion = "read_opinion", readLabel = "read_label", readNoteSealed = "read_note_sealed"
        case patientIDLookup = "patient_id_lookup", patientNameSealed = "patient_name_sealed"
        case patientIDSealed = "patient_id_sealed", birthDateSealed = "birth_date_sealed"
        case accessionSealed = "accession_sealed", sourcePathSealed = "source_path_sealed", studyUIDLookup = "study_uid_lookup"
    }

    /// The columns queries filter and sort on.
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let sourceHash = Column(CodingKeys.sourceHash)
        static let status = Column(CodingKeys.status)
        static let modelID = Column(CodingKeys.modelID)
        static let createdAt = Column(CodingKeys.createdAt)
        static let readAt = Column(CodingKeys.readAt)
    }
}
