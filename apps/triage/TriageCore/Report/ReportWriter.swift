import AuditLog
public import Foundation
import SuiteFoundation
import RecordStore

/// Writes a batch report as CSV, JSON or HTML (by the file's extension), through a temporary
/// file and a rename (mode 0600), so a report is never half-written; each report written is
/// a `record.export` in the audit trail.
public enum ReportWriter {
    public enum Format: String, Sendable, CaseIterable {
        case csv, json, html

        /// The format of a report path, from its extension.
        public init(path: String) throws {
            guard let format = Format(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased()) else {
                throw ReportError.unsupportedFormat(path: path)
            }
            self = format
        }
    }

    /// - Parameter view: the model's input spec, for the heatmaps of the HTML report.
    public static func write(_ report: BatchReport, to url: URL, store: StudyStore, view: TriageModelSpec.Input, actor: String) throws {
        let format = try Format(path: url.path)
        let data: Data
        switch format {
        case .csv: data = CSVReport.render(report)
        case .json: data = try JSONOutput.data(report) + Data("\n".utf8)
        case .html: data = try HTMLReport.render(report, store: store, view: view)
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw ReportError.io(path: url.path, reason: String(cString: strerror(errno)))
            }
            if rename(temporary.path, url.path) != 0 { throw ReportError.io(path: url.path, reason: String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        try store.secure.audit.append(AuditEvent(actor: actor, action: .recordExport, objectType: "report", objectID: format.rawValue,
                                                 details: ["studies": .int(report.studies.count)]))
    }
}

package enum ReportError: Error, CustomStringConvertible, Equatable {
    case unsupportedFormat(path: String)
    case io(path: String, reason: String)

    package var description: String {
        switch self {
        case .unsupportedFormat(let path): "\(path): a report must end in .csv, .json or .html"
        case .io(let path, let reason): "\(path): cannot write the report: \(reason)"
        }
    }
}
