/// One study of a report, de-identified: the study id and the patient pseudonym only.
public struct ReportRow: Sendable, Equatable, Encodable {
    /// 1-based position in the worklist order.
    public let rank: Int
    /// `scored`, or `not_assessed` (refused by the model, or unreadable).
    public let section: WorklistItem.Section
    public let studyID: String
    public let patient: String?
    /// The DICOM study the image belongs to (`Study.dicomStudy`), when known.
    public let dicomStudy: String?
    public let sha256: String
    public let format: String
    public let status: StudyStatus
    /// Calibrated probability of the finding.
    public let score: Double?
    public let positive: Bool?
    package let probabilities: [String: Double]?
    /// The model's urgency, and after ageing (`WorklistPolicy`).
    public let urgency: Urgency
    public let effectiveUrgency: Urgency
    public let reason: String?
    package let reasonDetail: String?
    public let model: String?
    package let arrived: String
    public let scored: String?
    public let read: String?
    /// `failed` when the study's integrity tag fails: its fields were edited outside the product.
    public let integrity: String?

    public init(rank: Int, item: WorklistItem) {
        let s = item.study
        self.rank = rank
        section = item.section
        studyID = s.id
        patient = s.patient
        dicomStudy = s.dicomStudy
        sha256 = s.sourceHash
        format = s.format
        status = s.status
        score = s.score
        positive = s.positive
        probabilities = s.probabilities
        urgency = item.baseUrgency
        effectiveUrgency = item.effectiveUrgency
        reason = s.reason
        reasonDetail = s.reasonDetail
        model = s.modelID
        arrived = s.createdAt
        scored = s.scoredAt
        read = s.readAt
        integrity = s.integrityFailed ? "failed" : nil
    }

    enum CodingKeys: String, CodingKey {
        case rank, section, patient, sha256, format, status, score, positive, probabilities, urgency, reason, model, arrived, scored, read, integrity
        case studyID = "study_id", effectiveUrgency = "effective_urgency", reasonDetail = "reason_detail", dicomStudy = "dicom_study"
    }
}
