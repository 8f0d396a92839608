import Foundation
import Imaging

/// A self-contained HTML worklist: one row per study in worklist order with its thumbnail and
/// its heatmap over the thumbnail, both embedded as `data:` URIs (the file can be mailed or
/// archived alone). It carries no name, ID or path — but thumbnails are pixels of the images,
/// so treat the file like the images themselves.
enum HTMLReport {
    /// - Parameter view: the model's input spec: which part of each thumbnail its map covers.
    static func render(_ report: BatchReport, store: StudyStore, view: TriageModelSpec.Input) throws -> Data {
        var rows = ""
        var section: WorklistItem.Section = .scored
        for r in report.studies {
            if r.section != section {
                section = r.section
                rows += "<tr><th colspan=\"8\">Not assessed by the model — refused or unreadable; a reader clears each with <code>triage read</code></th></tr>\n"
            }
            var pictures = "<td></td><td></td>"
            if let p = try StudyPictures.load(id: r.studyID, store: store, view: view) {
                let heatmap = p.heatmap.map { "<img alt=\"heatmap\" src=\"data:image/png;base64,\($0.base64EncodedString())\">" } ?? ""
                pictures = "<td><img alt=\"thumbnail\" src=\"data:image/png;base64,\(p.thumbnail.base64EncodedString())\"></td><td>\(heatmap)</td>"
            }
            let verdict = r.status == .scored
                ? "\(r.positive == true ? "positive" : "negative") \(r.score.map { String(format: "%.3f", $0) } ?? "")"
                : "\(r.status == .failed ? "unreadable" : "not assessable"): \(escape(r.reason ?? ""))\(r.reasonDetail.map { " (\(escape($0)))" } ?? "")"
            rows += """
                <tr class="\(r.effectiveUrgency.rawValue)"><td>\(r.rank)</td><td>\(r.effectiveUrgency.rawValue)\(r.effectiveUrgency != r.urgency ? " (aged from \(r.urgency.rawValue))" : "")</td>\
                <td>\(verdict)</td>\(pictures)<td><code>\(escape(r.studyID))</code><br>\(escape(r.patient ?? ""))</td>\
                <td>\(escape(r.arrived))</td><td>\(r.read.map { "read \(escape($0))" } ?? "unread")</td></tr>

                """
        }
        let s = report.summary
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Triage worklist</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 1.5em; }
            table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: middle; }
            tr.urgent td:nth-child(2) { color: #b00; font-weight: bold; } tr.priority td:nth-child(2) { color: #b60; }
            img { width: 128px; image-rendering: auto; }
            </style></head><body>
            <h1>Triage worklist</h1>
            <p>Model <code>\(escape(report.model))</code>, generated \(escape(report.generated)).
            \(s.scored) scored, \(s.notAssessable) not assessable, \(s.alreadyDone) already done, \(s.skipped) skipped, \(s.failed) failed\
            \(report.inputError.map { "; input stopped early: \(escape($0))" } ?? "").
            Heatmaps: class activation map of the decision, viridis colour map (yellow = most salient) blended over the image.</p>
            <table><thead><tr><th>#</th><th>urgency</th><th>verdict</th><th>image</th><th>heatmap</th><th>study / patient</th><th>arrived</th><th>status</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></body></html>

            """
        return Data(html.utf8)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
