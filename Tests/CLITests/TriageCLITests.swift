import Foundation
import TestSupport
import Testing
import TriageTestSupport

/// `triage scan`, `explain`, `batch`, `worklist`, `read` and `merge` as a user runs them, with
/// a tiny random-weight model: exit codes, machine output, a batch killed with SIGKILL and
/// resumed, a full disk (a file size limit), and shards merged.
@Suite(.serialized)
struct TriageCLITests {
    struct Workspace {
        let dir: URL
        var model: String { dir.appendingPathComponent("model").path }
        var inputs: URL { dir.appendingPathComponent("inputs") }

        static func make(demo: Bool = true) throws -> Workspace {
            let w = Workspace(dir: try Fixtures.temporaryDirectory())
            try TinyTriageModel.write(to: w.dir.appendingPathComponent("model"))
            if demo {
                let made = try CommandRunner.run("triage", ["demo-inputs", w.inputs.path, "--size", "48"])
                #expect(made.status == 0 && made.lines.count == 13, "\(made.stderr)")
            }
            return w
        }

        func home(_ name: String) throws -> URL {
            let home = dir.appendingPathComponent(name)
            let initialised = try CommandRunner.run("triage", ["keys", "init", "--home", home.path])
            #expect(initialised.status == 0, "\(initialised.stderr)")
            return home
        }

        func triage(_ arguments: [String]) throws -> CommandRunner.Result { try CommandRunner.run("triage", arguments) }
        func input(_ name: String) -> String { inputs.appendingPathComponent(name).path }
        func cleanUp() { try? FileManager.default.removeItem(at: dir) }
    }

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    @Test func scanAndExplainGiveVerdictsHeatmapsAndExitCodes() throws {
        let w = try Workspace.make()
        defer { w.cleanUp() }
        let home = try w.home("home")
        let files = ["chest-dense.png", "chest-patchy.dcm", "lateral.dcm", "ct-slice.dcm", "colour-photo.dcm", "truncated.png"].map(w.input)
        let heatmaps = w.dir.appendingPathComponent("heatmaps")
        let scan = try w.triage(["scan", "--model", w.model, "--json", "--home", home.path, "--heatmap-dir", heatmaps.path, "--overlay"] + files)
        #expect(scan.status == 3, "\(scan.stderr)")  // the truncated PNG is unreadable
        let records = try Self.jsonLines(scan.stdout)
        #expect(records.map { $0["verdict"] as? String } == ["scored", "scored", "not_assessable", "not_assessable", "not_assessable", "not_assessable"])
        #expect(records.map { $0["reason"] as? String } == [nil, nil, "lateral_view", "not_radiograph", "unsupported_photometry", "unreadable"])
        for record in records.prefix(2) {
            let score = try #require(record["score"] as? Double)
            #expect(record["positive"] as? Bool == (score >= 0.5) && record["finding"] as? String == "pneumonia")
            #expect(record["threshold"] as? Double == 0.5 && ["routine", "priority", "urgent"].contains(record["urgency"] as? String))
            let heatmap = try #require(record["heatmap"] as? String)
            #expect(try Data(contentsOf: URL(fileURLWithPath: heatmap)).count > 100)
        }
        let audit = try w.triage(["audit", "show", "--action", "inference", "--json", "--home", home.path])
        #expect((try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])?.count == 6)
        #expect(try w.triage(["scan", "--model", w.model, w.input("chest-clear.png")]).stdout.contains("pneumonia"))
        #expect(try w.triage(["scan", "--model", w.model, w.input("truncated.png")]).status == 1)
        #expect(try w.triage(["scan", "--model", w.dir.appendingPathComponent("nope").path, w.input("chest-clear.png")]).status == 1)

        let out = w.dir.appendingPathComponent("explained.png").path
        let explain = try w.triage(["explain", w.input("chest-faint.dcm"), "--model", w.model, "--out", out, "--overlay", "--json"])
        #expect(explain.status == 0, "\(explain.stderr)")
        let record = try #require(try Self.jsonLines(explain.stdout).first)
        let faithfulness = try #require(record["faithfulness"] as? [String: Any])
        #expect(faithfulness["topFraction"] as? Double == 0.1 && faithfulness["drop"] is Double && faithfulness["randomDrop"] is Double)
        #expect(record["heatmap"] as? String == out)
        let text = try w.triage(["explain", w.input("chest-dense.png"), "--model", w.model, "--out", out, "--top-percent", "20"])
        #expect(text.status == 0 && text.stdout.contains("faithfulness: masking the top 20% salient pixels"))
        #expect(try w.triage(["explain", w.input("lateral.dcm"), "--model", w.model, "--out", out]).status == 1)
        #expect(try w.triage(["explain", w.input("lateral.dcm"), "--model", w.model, "--out", "x.jpg"]).status == 2)
    }

    @Test func batchReportsWorklistAndRead() throws {
        let w = try Workspace.make()
        defer { w.cleanUp() }
        let home = try w.home("home")
        let report = w.dir.appendingPathComponent("worklist.html").path
        let batch = try w.triage(["batch", w.inputs.path, "--home", home.path, "--model", w.model, "--report", report])
        #expect(batch.status == 3, "\(batch.stderr)")  // truncated.png failed
        #expect(batch.stdout.contains("13 files: 8 scored, 3 not assessable, 0 already done, 1 skipped, 1 failed"))
        #expect(batch.stderr.contains("skipped \(w.input("README.txt")): not a PNG, JPEG or DICOM file"))
        #expect(batch.stderr.contains("failed \(w.input("truncated.png"))"))
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("data:image/png;base64,"))
        let csv = w.dir.appendingPathComponent("r.csv").path
        let again = try w.triage(["batch", w.inputs.path, "--home", home.path, "--model", w.model, "--report", csv, "--resume"])
        #expect(again.stdout.contains("0 scored, 0 not assessable, 11 already done") && again.stderr.contains("resuming: 11 studies"))
        // The header, 11 studies and the truncated PNG, stored as a failed study.
        #expect(try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\r\n").count == 13)

        let list = try w.triage(["worklist", "--home", home.path, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 12 && rows.map { $0["rank"] as? Int } == Array(1...12).map { $0 })
        #expect(rows.suffix(4).contains { $0["status"] as? String == "failed" })
        #expect(rows.suffix(4).allSatisfy { $0["section"] as? String == "not_assessed" })
        #expect(!list.stdout.contains("PHANTOM") && !list.stdout.contains(w.inputs.path))
        let first = try #require(rows.first?["study_id"] as? String)
        let read = try w.triage(["read", first, "--home", home.path])
        #expect(read.status == 0 && read.stdout.contains("marked read"))
        #expect(try w.triage(["read", first, "--home", home.path]).stdout.contains("already read"))
        #expect(try w.triage(["read", "no-such-study", "--home", home.path]).status == 1)
        let text = try w.triage(["worklist", "--home", home.path, "--limit", "3"])
        // A section heading, the column headers, 3 studies.
        #expect(text.lines.count == 5 && text.lines[1].hasPrefix("  #  study") && !text.stdout.contains(first), "\(text.stdout)")
        let reviews = try w.triage(["audit", "show", "--action", "review", "--json", "--home", home.path])
        #expect(reviews.stdout.contains(first))
        #expect(try w.triage(["audit", "verify", "--home", home.path]).status == 0)

        let usage = try w.triage(["batch", w.inputs.path, "--home", home.path, "--model", w.model, "--workers", "64", "--threads", "64"])
        #expect(usage.status == 2 && usage.stderr.contains("exceeds"))
        #expect(try w.triage(["batch", w.inputs.path, "--home", w.dir.appendingPathComponent("typo").path, "--resume"]).status == 2)
        #expect(try w.triage(["batch", w.inputs.path, "--home", home.path, "--shard", "3/3"]).status == 2)
        #expect(try w.triage(["batch", w.inputs.path, "--home", home.path, "--report", "r.txt"]).status == 2)
    }

    /// SIGKILL or Ctrl-C (SIGINT) in the middle of a batch, then --resume: every image once, none
    /// lost, none scored twice. Ctrl-C also says how to continue and exits 130.
    @Test(arguments: [(SIGKILL, 1), (SIGKILL, 40), (SIGKILL, 200), (SIGINT, 40)])
    func batchKilledMidwayResumesWithoutDuplicatesOrLosses(signal: Int32, after point: Int) throws {
        let w = try Workspace.make(demo: false)
        defer { w.cleanUp() }
        let count = 300
        try TestImages.writePhantoms(count: count, size: 48, to: w.inputs)
        let home = try w.home("home")
        let arguments = ["batch", w.inputs.path, "--home", home.path, "--model", w.model, "--workers", "1", "--threads", "1"]
        // Kill it as soon as it reports `point` stored results (one progress line per commit), so
        // the kill lands where meant however fast or slow the machine is.
        let process = Process(), errors = Pipe()
        process.executableURL = CommandRunner.productsDirectory.appendingPathComponent("triage")
        process.arguments = arguments + ["--progress-lines"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        var seen = "", reported = 0
        while reported < point {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // it ended without reporting `point`
            seen += String(decoding: chunk, as: UTF8.self)
            reported = seen.split(separator: "\n").compactMap { line -> Int? in
                guard let range = line.range(of: "progress: ") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }.max() ?? 0
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(reported >= point, "no progress line reached \(point): \(seen.suffix(200))")
        let before = try TestImages.verdictCount(home: home)
        print("stopped by signal \(signal) with \(before) of \(count) images stored")
        #expect(before < count, "the batch finished before the signal")
        if signal == SIGINT {
            seen += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationReason == .exit && process.terminationStatus == 130)
            #expect(seen.contains("triage: interrupted;") && seen.contains("--resume"), "\(seen.suffix(300))")
        } else {
            #expect(process.terminationReason == .uncaughtSignal)
        }

        let resumed = try w.triage(arguments + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("\(count - before) scored, 0 not assessable, \(before) already done"), "\(resumed.stdout)")
        #expect(try TestImages.verdictCount(home: home) == count)
        let inference = try w.triage(["audit", "show", "--action", "inference", "--json", "--home", home.path])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(inference.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == count && Set(entries.compactMap { $0["objectID"] as? String }).count == count)  // each scored once
        let created = try w.triage(["audit", "show", "--action", "record.create", "--json", "--home", home.path])
        let creations = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [[String: Any]])
        #expect(creations.count == count)  // each stored once
        // No orphan or gap: every created study is there with an intact tag, and the chain holds.
        #expect(try w.triage(["records", "verify", "--home", home.path]).status == 0)
        #expect(try w.triage(["audit", "verify", "--home", home.path]).status == 0)
    }

    /// A disk that fills up mid-batch (simulated with RLIMIT_FSIZE, SIGXFSZ ignored): the files
    /// whose results could not be written are reported, the run goes on and exits 3, the store
    /// stays consistent, and the next run completes the work.
    @Test func fullDiskFailsFilesNotTheStore() throws {
        let w = try Workspace.make(demo: false)
        defer { w.cleanUp() }
        try TestImages.writePhantoms(count: 200, size: 48, to: w.inputs)
        let home = try w.home("home")
        let first = w.dir.appendingPathComponent("first")
        try TestImages.writePhantoms(count: 5, size: 48, to: first, seed: 99)
        #expect(try w.triage(["batch", first.path, "--home", home.path, "--model", w.model]).status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("store.sqlite").path)[.size] as! Int
        let triage = CommandRunner.productsDirectory.appendingPathComponent("triage").path
        let process = Process(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f \((size + 150_000) / 1024); exec \"$0\" \"$@\"",
                             triage, "batch", w.inputs.path, "--home", home.path, "--model", w.model]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 3, "\(stderr.suffix(500))")
        #expect(stderr.contains("result not stored"))
        let stored = try TestImages.verdictCount(home: home)
        #expect(stored > 5 && stored < 205)
        #expect(try w.triage(["audit", "verify", "--home", home.path]).status == 0)
        let rerun = try w.triage(["batch", w.inputs.path, "--home", home.path, "--model", w.model])
        #expect(rerun.status == 0 && rerun.stdout.contains("\(205 - stored) scored"), "\(rerun.stdout)")
        #expect(try TestImages.verdictCount(home: home) == 205)
    }

    @Test func shardsSplitOneInputAndMergeJoinsThem() throws {
        let w = try Workspace.make()
        defer { w.cleanUp() }
        var homes: [String] = []
        var scored = 0
        for i in 0..<3 {
            let home = try w.home("shard\(i)")
            let run = try w.triage(["batch", w.inputs.path, "--home", home.path, "--model", w.model, "--shard", "\(i)/3"])
            #expect(run.stdout.contains("(shard \(i)/3:"), "\(run.stdout)")
            scored += try TestImages.verdictCount(home: home)
            homes.append(home.path)
        }
        #expect(scored == 11)
        let target = try w.home("all")
        let merge = try w.triage(["merge", "--home", target.path] + homes)
        #expect(merge.status == 0 && merge.lines.count == 3, "\(merge.stderr)")
        #expect(try TestImages.verdictCount(home: target) == 11)
        let again = try w.triage(["merge", "--home", target.path] + homes)
        #expect(again.lines.allSatisfy { $0.contains(": 0 studies copied") })
        let list = try w.triage(["worklist", "--home", target.path, "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])?.count == 12)  // with the unreadable PNG
        #expect(try w.triage(["merge", "--home", target.path, w.dir.appendingPathComponent("missing").path]).status == 1)
    }
}
