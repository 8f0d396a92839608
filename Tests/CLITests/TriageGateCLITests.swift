import Foundation
import TestSupport
import Testing
import TriageTestSupport

/// The input gate as a user meets it: `triage scan` and `triage explain` refuse a blank page as
/// not assessable (out_of_distribution); the file was read, so `scan` exits 0 and `explain`
/// (nothing to explain) 1; `triage batch` stores the same verdict.
struct TriageGateCLITests {
    @Test func scanRefusesABlankPNG() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyTriageModel.write(to: dir.appendingPathComponent("model")).path
        let blank = dir.appendingPathComponent("blank.png"), tiny = dir.appendingPathComponent("tiny.png")
        try TestImages.writeConstant(level: 255, size: 256, to: blank)
        try TestImages.writeConstant(level: 90, size: 8, to: tiny)
        let home = dir.appendingPathComponent("no-home").path
        let scan = try CommandRunner.run("triage", ["scan", "--model", model, "--json", "--home", home, blank.path, tiny.path])
        #expect(scan.status == 0, "\(scan.stderr)")
        let records = try scan.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(records.map { $0["verdict"] as? String } == ["not_assessable", "not_assessable"])
        #expect(records.map { $0["reason"] as? String } == ["out_of_distribution", "out_of_distribution"])
        #expect(records.map { $0["detail"] as? String } == ["dynamic range 0 < 16", "smallest side 8 px < 16"])
        let text = try CommandRunner.run("triage", ["scan", "--model", model, "--home", home, blank.path])
        #expect(text.status == 0 && text.stdout.contains("NOT ASSESSABLE out_of_distribution — dynamic range 0 < 16"), "\(text.stdout)")
        let explain = try CommandRunner.run("triage", ["explain", "--model", model, "--home", home, blank.path,
                                                       "--out", dir.appendingPathComponent("h.png").path])
        #expect(explain.status == 1 && explain.stdout.contains("out_of_distribution"), "\(explain.stdout)")
    }

    @Test func batchStoresTheRefusalAsNotAssessable() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyTriageModel.write(to: dir.appendingPathComponent("model")).path
        let inputs = dir.appendingPathComponent("inputs")
        try TestImages.writePhantoms(count: 2, size: 48, to: inputs)
        try TestImages.writeConstant(level: 0, size: 300, to: inputs.appendingPathComponent("black.png"))
        let home = dir.appendingPathComponent("home").path
        #expect(try CommandRunner.run("triage", ["keys", "init", "--home", home]).status == 0)
        let batch = try CommandRunner.run("triage", ["batch", inputs.path, "--home", home, "--model", model,
                                                     "--report", dir.appendingPathComponent("r.csv").path])
        #expect(batch.status == 0 && batch.stdout.contains("3 files: 2 scored, 1 not assessable"), "\(batch.stdout)\(batch.stderr)")
        let report = try String(contentsOf: dir.appendingPathComponent("r.csv"), encoding: .utf8)
        #expect(report.contains("out_of_distribution"), "\(report)")
    }
}
