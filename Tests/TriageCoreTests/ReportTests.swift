import AuditLog
import DICOM
import Foundation
import GRDB
import Imaging
import TestSupport
import Testing
import TriageTestSupport
import RecordStore
@testable import TriageCore

/// Batch reports (CSV, JSON, HTML) carry de-identified ids only; the demo inputs are what they claim.
struct ReportTests {
    @Test func reportsAreDeidentifiedAndTheHTMLEmbedsThumbnailsAndHeatmaps() throws {
        let s = try BatchRunnerTests.setup()
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let store = try s.store("home")
        let outcome = try s.run(store).0
        let report = try BatchReport(store: store, hashes: outcome.hashes, model: s.model.id, summary: outcome.summary,
                                     inputError: nil, policy: .default)
        // The scored studies, then the 3 refused and the unreadable one in their own section.
        #expect(report.studies.map(\.rank) == Array(1...12) && report.studies.suffix(4).allSatisfy { $0.section == .notAssessed }
                && report.studies.prefix(8).allSatisfy { $0.section == .scored })
        for format in ReportWriter.Format.allCases {
            let url = s.dir.appendingPathComponent("report.\(format.rawValue)")
            try ReportWriter.write(report, to: url, store: store, view: s.model.spec.input, actor: "test")
            let text = try String(contentsOf: url, encoding: .utf8)
            for needle in ["PHANTOM", "SYN-", "ACC-", "chest-", s.inputs.path] { #expect(!text.contains(needle), "\(needle) in \(format)") }
            #expect(text.contains(report.studies[0].studyID))
            let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            switch format {
            case .csv:
                let lines = text.split(separator: "\r\n")
                #expect(lines.count == 13 && lines[0].hasPrefix("rank,study_id,patient,sha256"))
            case .json:
                let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                #expect((object?["studies"] as? [[String: Any]])?.count == 12 && object?["model"] as? String == s.model.id)
            case .html:
                #expect(text.components(separatedBy: "src=\"data:image/png;base64,").count - 1 == 8 * 2 + 3)  // thumbnails of all decoded, heatmaps of scored
                #expect(text.contains("Not assessed by the model") && text.contains("unreadable: unreadable"))
            }
        }
        #expect(throws: ReportError.unsupportedFormat(path: "r.txt")) { try ReportWriter.Format(path: "r.txt") }
        #expect(CSVReport.quote("a,\"b\"") == "\"a,\"\"b\"\"\"" && HTMLReport.escape("<a href='x'>&</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")
        let exports = try store.secure.database.read { try AuditEntry.filter(Column("action") == "record.export").fetchCount($0) }
        #expect(exports == 3)
    }

    @Test func demoInputsAreDecodableDeterministicAndSynthetic() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = try DemoInputs.write(to: dir.appendingPathComponent("a"), size: 40)
        try DemoInputs.write(to: dir.appendingPathComponent("b"), size: 40)
        #expect(written.count == 13)
        for w in written {
            let a = try Data(contentsOf: dir.appendingPathComponent("a/\(w.file)"))
            #expect(a == (try Data(contentsOf: dir.appendingPathComponent("b/\(w.file)"))), "\(w.file) not deterministic")
            guard w.file.hasSuffix(".png") || w.file.hasSuffix(".dcm"), w.file != "truncated.png" else { continue }
            let image = try ImageFile.decode(a, file: w.file)
            #expect(image.width == 40 && image.height == 40, "\(w.file)")
        }
        let dicom = try DICOMFile.read(contentsOf: dir.appendingPathComponent("a/chest-patchy.dcm"))
        #expect(dicom.dataSet.string(.photometricInterpretation) == "MONOCHROME1" && dicom.dataSet.string(.patientName) == "PHANTOM^PATCHY")
        #expect(try DICOMFile.read(contentsOf: dir.appendingPathComponent("a/lateral.dcm")).dataSet.string(.viewPosition) == "LL")
    }
}
