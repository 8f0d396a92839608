/// The worklist by DICOM study: the images of one study (same `dicomStudy`) as one entry whose
/// verdict is its most urgent assessable image. The worklist order already puts scored images
/// before refused ones and the most urgent first, so a study's lead is its first image in that
/// order; a study with no scored image leads with its first refused or unreadable one. Images
/// without a DICOM study (PNG, JPEG) are studies of their own.
public struct StudyGroup: Sendable, Equatable, Encodable {
    /// 1-based position of the study in the worklist.
    public let rank: Int
    public let dicomStudy: String?
    /// The image that gives the study its verdict.
    public let lead: ReportRow
    /// Every unread image of the study, in worklist order (their ids).
    public let images: [String]

    enum CodingKeys: String, CodingKey {
        case rank, lead, images
        case dicomStudy = "dicom_study"
    }

    /// Groups worklist rows (in worklist order) by DICOM study, keeping that order.
    public static func group(_ rows: [ReportRow]) -> [StudyGroup] {
        var order: [String] = [], members: [String: [ReportRow]] = [:]
        for row in rows {
            let key = row.dicomStudy ?? "image:" + row.studyID
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(row)
        }
        return order.enumerated().map { index, key in
            let rows = members[key]!
            return StudyGroup(rank: index + 1, dicomStudy: rows[0].dicomStudy, lead: rows[0], images: rows.map(\.studyID))
        }
    }
}
