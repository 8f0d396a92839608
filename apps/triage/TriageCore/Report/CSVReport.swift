import Foundation

/// One line per study in worklist order (RFC 4180 quoting); probabilities as `label:p` pairs
/// separated by `;`.
enum CSVReport {
    static let header = ["rank", "study_id", "patient", "sha256", "format", "status", "score", "positive", "urgency",
                         "effective_urgency", "reason", "reason_detail", "probabilities", "model", "arrived", "scored", "read"]

    static func render(_ report: BatchReport) -> Data {
        var lines = [header.joined(separator: ",")]
        for r in report.studies {
            let probabilities = r.probabilities.map { $0.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ";") }
            let fields: [String?] = [String(r.rank), r.studyID, r.patient, r.sha256, r.format, r.status.rawValue, r.score.map { String($0) },
                                     r.positive.map { String($0) }, r.urgency.rawValue, r.effectiveUrgency.rawValue, r.reason, r.reasonDetail,
                                     probabilities, r.model, r.arrived, r.scored, r.read]
            lines.append(fields.map { quote($0 ?? "") }.joined(separator: ","))
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
