import Foundation
import TestSupport
import Testing
import TriageTestSupport

/// A reader's commands (issue 15.5): `show` by id prefix, `read --agree|--disagree --label --note`,
/// `read --undo`; the note is sealed and the opinion audited.
@Suite(.serialized)
struct TriageReaderCLITests {
    typealias Workspace = TriageCLITests.Workspace

    @Test func showReadWithAnOpinionAndUndo() throws {
        let w = try Workspace.make()
        defer { w.cleanUp() }
        let home = try w.home("home")
        #expect(try w.triage(["batch", w.inputs.path, "--home", home.path, "--model", w.model]).status == 3)  // truncated.png
        let list = try w.triage(["worklist", "--home", home.path, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let top = try #require(rows.first?["study_id"] as? String)
        let prefix = String(top.prefix(8))

        let show = try w.triage(["show", prefix, "--home", home.path, "--model", w.model,
                                 "--heatmap", w.dir.appendingPathComponent("h.png").path, "--image", w.dir.appendingPathComponent("i.png").path])
        #expect(show.status == 0 && show.stdout.contains("study     \(top)") && show.stdout.contains("verdict   "), "\(show.stderr)")
        #expect(!show.stdout.contains("PHANTOM") && !show.stdout.contains("name      "))
        for png in ["h.png", "i.png"] {
            let data = try Data(contentsOf: w.dir.appendingPathComponent(png))
            #expect(data.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        }
        let phi = try w.triage(["show", prefix, "--show-phi", "--home", home.path])
        #expect(phi.stdout.contains("source    \(w.inputs.path)/"), "\(phi.stdout)")
        let reads = try w.triage(["audit", "show", "--action", "record.read", "--json", "--home", home.path])
        #expect(reads.stdout.contains(top))  // the identity was shown: audited
        #expect(try w.triage(["show", "zzzz", "--home", home.path]).stderr.contains("no study id starts with 'zzzz'"))
        #expect(try w.triage(["show", "ab", "--home", home.path]).stderr.contains("at least 4 characters"))

        let marker = "NOTE-MARKER-7731"
        let read = try w.triage(["read", prefix, "--disagree", "--label", "normal", "--note", marker, "--home", home.path])
        #expect(read.status == 0 && read.stdout.contains("marked read") && read.stdout.contains("(disagree)"), "\(read.stderr)")
        let after = try w.triage(["show", prefix, "--show-phi", "--home", home.path])
        #expect(after.stdout.contains("disagree (normal)") && after.stdout.contains("note      \(marker)"))
        #expect(!(try w.triage(["show", prefix, "--home", home.path]).stdout.contains(marker)))  // the note only with --show-phi
        for file in ["store.sqlite", "store.sqlite-wal"] {
            let bytes = (try? Data(contentsOf: home.appendingPathComponent(file))) ?? Data()
            #expect(bytes.range(of: Data(marker.utf8)) == nil, "the note is in \(file) in clear")
        }
        let reviews = try w.triage(["audit", "show", "--action", "review", "--json", "--home", home.path])
        #expect(reviews.stdout.contains("disagree") && !reviews.stdout.contains(marker))
        #expect(try w.triage(["read", prefix, "--agree", "--undo", "--home", home.path]).status == 2)
        let undo = try w.triage(["read", prefix, "--undo", "--home", home.path])
        #expect(undo.stdout.contains("back on the worklist"))
        let back = try w.triage(["worklist", "--home", home.path, "--json"])
        #expect(back.stdout.contains(top))
        #expect(try w.triage(["records", "verify", "--home", home.path]).status == 0)
        #expect(try w.triage(["audit", "verify", "--home", home.path]).status == 0)
    }
}
