import Foundation
import TestSupport
import Testing
import TriageTestSupport

/// Clinical fields edited with an SQL shell (issue 16): never silently re-sorted or skipped.
@Suite(.serialized)
struct TriageIntegrityCLITests {
    typealias Workspace = TriageCLITests.Workspace

    static func sqlite(_ home: URL, _ sql: String) throws {
        #expect(try SQLiteShell.run(home.appendingPathComponent("store.sqlite"), sql) == 0)
    }

    static func worklist(_ w: Workspace, _ home: URL) throws -> (status: Int32, rows: [[String: Any]], stderr: String) {
        let result = try w.triage(["worklist", "--json", "--home", home.path])
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return (result.status, rows, result.stderr)
    }

    @Test func editedVerdictsReadStatesAndPseudonymsAreFlaggedAndDeletedRowsFound() throws {
        let w = try Workspace.make()
        defer { w.cleanUp() }
        let home = try w.home("home")
        #expect(try w.triage(["batch", w.inputs.path, "--home", home.path, "--model", w.model]).status != 1)
        let before = try Self.worklist(w, home)
        #expect(before.status == 0 && before.rows.count >= 6 && before.rows.allSatisfy { $0["integrity"] == nil })
        #expect(try w.triage(["records", "verify", "--home", home.path]).status == 0)
        let ids = before.rows.compactMap { $0["study_id"] as? String }
        let (top, second, third, fourth) = (ids[0], ids[1], ids[2], ids[3])

        // The top study demoted to the bottom; another marked read without a review entry; a
        // third given another patient's pseudonym; a fourth deleted.
        try Self.sqlite(home, """
            UPDATE studies SET urgency = 'routine', positive = 0, score = 0.02 WHERE id = '\(top)';
            UPDATE studies SET status = 'read' WHERE id = '\(second)';
            UPDATE studies SET patient_id_lookup = randomblob(32) WHERE id = '\(third)';
            DELETE FROM studies WHERE id = '\(fourth)';
            """)
        let after = try Self.worklist(w, home)
        #expect(after.status == 1 && after.stderr.contains("3 studies failed their integrity check"), "\(after.stderr)")
        let flagged = after.rows.prefix(3).compactMap { $0["study_id"] as? String }
        #expect(Set(flagged) == [top, second, third] && after.rows.prefix(3).allSatisfy { $0["integrity"] as? String == "failed" })
        let text = try w.triage(["worklist", "--home", home.path])
        #expect(text.status == 1 && text.stdout.split(separator: "\n").prefix(3).allSatisfy { $0.contains("INTEGRITY FAILED") })

        let verify = try w.triage(["records", "verify", "--home", home.path])
        #expect(verify.status == 1)
        for id in [top, second, third] { #expect(verify.stdout.contains("integrity failed: studies/\(id)")) }
        #expect(verify.stdout.contains("missing: study/\(fourth)"))
        let out = w.dir.appendingPathComponent("export.jsonl")
        let export = try w.triage(["records", "export", "--deidentify", "--out", out.path, "--home", home.path])
        #expect(export.status == 1)
        let exported = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(exported.filter { $0.contains("\"integrityFailed\":true") }.count == 3)
        // The findings are audited, and the chain itself is intact.
        let audit = try w.triage(["audit", "show", "--action", "query", "--json", "--home", home.path])
        #expect(audit.stdout.contains("integrity_failed"))
        #expect(try w.triage(["audit", "verify", "--home", home.path]).status == 0)
    }
}
