import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import TestSupport
import Testing
import TriageTestSupport

/// `triage models` and `assistant models` as an operator runs them, on tiny models: add (twice,
/// and broken folders refused naming the file), list, show, promote, rollback, retire with their
/// audit entries, and the active version's id recorded by `triage scan` and `assistant ask`.
@Suite(.serialized)
struct ModelRegistryCLITests {
    static func run(_ tool: String, _ arguments: [String], home: URL) throws -> CommandRunner.Result {
        try CommandRunner.run(tool, arguments + ["--home", home.path])
    }

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// The `model.manage` entries as "op from→to" with 4-digit prefixes (`none` for no version).
    static func changes(_ tool: String, home: URL) throws -> [String] {
        let shown = try run(tool, ["audit", "show", "--action", "model.manage", "--json"], home: home)
        #expect(shown.status == 0, "\(shown.stderr)")
        let rows = try #require(try json(shown.stdout) as? [[String: Any]])
        return try rows.map { row in
            let text = try #require(row["details"] as? String)
            let details = try #require(try json(text) as? [String: Any])
            let (from, to) = (details["from"] as? String ?? "?", details["to"] as? String ?? "?")
            return "\(details["op"] as? String ?? "?") \(from.prefix(4))→\(to.prefix(4))"
        }
    }

    static func cleanUp(_ dir: URL) {
        _ = try? CommandRunner.run("/bin/chmod", ["-R", "u+w", dir.path])
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func triageVersionsArePromotedRolledBackAndRecordedOnVerdicts() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Self.cleanUp(dir) }
        let home = dir.appendingPathComponent("home")
        #expect(try Self.run("triage", ["keys", "init"], home: home).status == 0)
        let first = try TinyTriageModel.write(to: dir.appendingPathComponent("first"), seed: 7)
        let second = try TinyTriageModel.write(to: dir.appendingPathComponent("second"), seed: 8)

        let added = try Self.run("triage", ["models", "add", first.path], home: home)
        #expect(added.status == 0 && added.stderr.contains("added version"), "\(added.stderr)")
        let short = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(short.count == 12)
        let again = try Self.run("triage", ["models", "add", first.path], home: home)
        #expect(again.status == 0 && again.stdout.hasPrefix(short) && again.stderr.contains("nothing changed"), "\(again.stderr)")
        let secondShort = try Self.run("triage", ["models", "add", second.path], home: home).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)

        // Broken folders are refused, naming the file.
        let noWeights = dir.appendingPathComponent("no-weights")
        try FileManager.default.copyItem(at: first, to: noWeights)
        try FileManager.default.removeItem(at: noWeights.appendingPathComponent("weights.safetensors"))
        let refused = try Self.run("triage", ["models", "add", noWeights.path], home: home)
        #expect(refused.status == 1 && refused.stderr.contains(noWeights.appendingPathComponent("weights.safetensors").path), "\(refused.stderr)")
        let badSpec = dir.appendingPathComponent("bad-spec")
        try FileManager.default.copyItem(at: first, to: badSpec)
        try Data("{\"format\": 1".utf8).write(to: badSpec.appendingPathComponent("model.json"))
        let refusedSpec = try Self.run("triage", ["models", "add", badSpec.path], home: home)
        #expect(refusedSpec.status == 1 && refusedSpec.stderr.contains("model.json"), "\(refusedSpec.stderr)")

        var list = try #require(try Self.json(try Self.run("triage", ["models", "list", "--json"], home: home).stdout) as? [[String: Any]])
        #expect(list.count == 2 && list.allSatisfy { $0["active"] as? Bool == false })
        let fullID = try #require(list.first { ($0["short"] as? String) == short }?["id"] as? String)

        // Without an active version, scan uses the shipped model; with one, the registry's.
        let image = dir.appendingPathComponent("chest.png")
        let made = try CommandRunner.run("triage", ["demo-inputs", dir.appendingPathComponent("inputs").path, "--size", "48"])
        #expect(made.status == 0, "\(made.stderr)")
        try FileManager.default.copyItem(at: dir.appendingPathComponent("inputs/chest-dense.png"), to: image)
        #expect(try Self.run("triage", ["models", "promote", String(short.prefix(8))], home: home).stdout.contains("active version \(short)"))
        let scan = try Self.run("triage", ["scan", "--json", image.path], home: home)
        #expect(scan.status == 0, "\(scan.stderr)")
        #expect((try Self.json(scan.stdout) as? [String: Any])?["model"] as? String == fullID, "\(scan.stdout)")
        let explicit = try Self.run("triage", ["scan", "--json", "--model", second.path, image.path], home: home)
        #expect(((try Self.json(explicit.stdout) as? [String: Any])?["model"] as? String)?.hasPrefix("tiny-test-model-") == true)
        let inference = try #require(try Self.json(try Self.run("triage", ["audit", "show", "--action", "inference", "--json"], home: home).stdout)
            as? [[String: Any]])
        #expect((inference.first?["details"] as? String)?.contains(fullID) == true, "\(inference)")

        #expect(try Self.run("triage", ["models", "promote", secondShort], home: home).status == 0)
        let retireActive = try Self.run("triage", ["models", "retire", secondShort], home: home)
        #expect(retireActive.status == 1 && retireActive.stderr.contains("is the active version"), "\(retireActive.stderr)")
        let rolledBack = try Self.run("triage", ["models", "rollback"], home: home)
        #expect(rolledBack.status == 0 && rolledBack.stdout.contains("rolled back: active version \(short) (was \(secondShort))"),
                "\(rolledBack.stdout) \(rolledBack.stderr)")
        #expect(try Self.run("triage", ["models", "retire", secondShort], home: home).status == 0)
        list = try #require(try Self.json(try Self.run("triage", ["models", "list", "--json"], home: home).stdout) as? [[String: Any]])
        #expect(Set(list.map { "\($0["short"]!) \($0["status"]!)" }) == ["\(short) active", "\(secondShort) retired"])
        let text = try Self.run("triage", ["models", "list"], home: home).stdout
        #expect(text.contains("* \(short)"), "\(text)")

        let show = try Self.run("triage", ["models", "show", short, "--json"], home: home)
        let shown = try #require(try Self.json(show.stdout) as? [String: Any])
        #expect(shown["intact"] as? Bool == true && (shown["files"] as? [[String: Any]])?.count == 3, "\(show.stdout)")
        #expect((shown["promotions"] as? [[String: Any]])?.count == 3)
        #expect(try Self.run("triage", ["models", "show", "zz"], home: home).status == 1)

        let (a, b) = (short.prefix(4), secondShort.prefix(4))
        #expect(try Self.changes("triage", home: home) == [
            "add none→none", "add none→none", "promote none→\(a)", "promote \(a)→\(b)", "rollback \(b)→\(a)", "retire \(a)→\(a)",
        ])
    }

    @Test func assistantAsksWithTheActiveClassifierAndRecordsItsVersion() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Self.cleanUp(dir) }
        let home = dir.appendingPathComponent("home")
        let tiny = Fixtures.url("bert/tiny").path
        let examples = try IntentFineTuneCLITests.examplesFile(in: dir).path
        let classifier = dir.appendingPathComponent("classifier").path
        let trained = try CommandRunner.run("assistant", ["train", "--model", tiny, "--examples", examples, "--out", classifier, "--threads", "1"])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try Self.run("assistant", ["keys", "init"], home: home).status == 0)
        let kb = Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path
        let indexed = try Self.run("assistant", ["index", "--kb", kb, "--model", tiny], home: home)
        #expect(indexed.status == 0, "\(indexed.stderr)")

        let broken = dir.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: broken.appendingPathComponent("classifier.json"))
        let refused = try Self.run("assistant", ["models", "add", broken.path], home: home)
        #expect(refused.status == 1 && refused.stderr.contains(broken.appendingPathComponent("classifier.json").path), "\(refused.stderr)")

        let short = try Self.run("assistant", ["models", "add", classifier], home: home).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(short.count == 12)
        #expect(try Self.run("assistant", ["models", "promote", short], home: home).status == 0)
        let shown = try Self.json(try Self.run("assistant", ["models", "show", short, "--json"], home: home).stdout) as? [String: Any]
        let id = try #require((shown?["version"] as? [String: Any])?["id"] as? String)
        let asked = try Self.run("assistant", ["ask", "--json", "--model", tiny, "my card is lost please"], home: home)
        #expect(asked.status == 0, "\(asked.stderr)")
        let answer = try #require(try Self.json(asked.stdout) as? [String: Any])
        #expect(answer["modelVersion"] as? String == id, "\(asked.stdout)")
        #expect(((answer["intents"] as? [[String: Any]])?.first?["intent"] as? String).map { ["card", "transfer"].contains($0) } == true)
        // An explicit --classifier keeps today's behaviour: the encoder's version.
        let explicit = try Self.run("assistant", ["ask", "--json", "--model", tiny, "--classifier", classifier, "my card is lost"], home: home)
        #expect(((try Self.json(explicit.stdout) as? [String: Any])?["modelVersion"] as? String)?.hasPrefix("tiny@") == true, "\(explicit.stdout)")
        #expect(try Self.changes("assistant", home: home) == ["add none→none", "promote none→\(short.prefix(4))"])
    }

    /// A fine-tuned classifier is a version with its encoder: stored with it, refused without it,
    /// and `ask` embeds with the stored encoder while recording the version id.
    @Test func aFineTunedClassifierIsStoredWithItsEncoder() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Self.cleanUp(dir) }
        let home = dir.appendingPathComponent("home")
        let tiny = Fixtures.url("bert/tiny").path
        let examples = try IntentFineTuneCLITests.examplesFile(in: dir).path
        let tuned = dir.appendingPathComponent("tuned")
        let trained = try CommandRunner.run("assistant", [
            "train", "--model", tiny, "--examples", examples, "--out", tuned.path, "--fine-tune-layers", "1", "--epochs", "1",
            "--batch-size", "4", "--threads", "1",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try Self.run("assistant", ["keys", "init"], home: home).status == 0)
        let kb = Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path
        #expect(try Self.run("assistant", ["index", "--kb", kb, "--model", tiny], home: home).status == 0)

        let headless = dir.appendingPathComponent("headless")
        try FileManager.default.copyItem(at: tuned, to: headless)
        try FileManager.default.removeItem(at: headless.appendingPathComponent("encoder/model.safetensors"))
        let refused = try Self.run("assistant", ["models", "add", headless.path], home: home)
        #expect(refused.status == 1 && refused.stderr.contains(headless.appendingPathComponent("encoder").path)
                && refused.stderr.contains("fine-tuned encoder is missing"), "\(refused.stderr)")

        let short = try Self.run("assistant", ["models", "add", tuned.path], home: home).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = try #require(try Self.json(try Self.run("assistant", ["models", "show", short, "--json"], home: home).stdout) as? [String: Any])
        let files = (shown["files"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(files.contains("classifier.json") && files.contains("encoder/model.safetensors") && files.contains("encoder/config.json"), "\(files)")
        #expect(try Self.run("assistant", ["models", "promote", short], home: home).status == 0)
        try FileManager.default.removeItem(at: tuned)  // the registry's copy is what is used
        let asked = try Self.run("assistant", ["ask", "--json", "--model", tiny, "block my card now"], home: home)
        #expect(asked.status == 0, "\(asked.stderr)")
        let id = (shown["version"] as? [String: Any])?["id"] as? String
        #expect((try Self.json(asked.stdout) as? [String: Any])?["modelVersion"] as? String == id, "\(asked.stdout)")
    }

    /// Shared by the load test's clients: stop sending, and whether one saw the new version.
    final class Flags: Sendable {
        let stop = Mutex(false), switched = Mutex(false)
    }

    /// `assistant serve` on the registry's active version switches to a version promoted while it
    /// runs, under a steady load on loopback: no request fails, and each client sees the old
    /// version, then the new one, never back.
    @Test(.timeLimit(.minutes(3))) func aRunningServiceFollowsAPromotionWithoutDroppingRequests() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Self.cleanUp(dir) }
        let home = dir.appendingPathComponent("home")
        let tiny = Fixtures.url("bert/tiny").path
        let examples = try IntentFineTuneCLITests.examplesFile(in: dir).path
        let first = dir.appendingPathComponent("first"), second = dir.appendingPathComponent("second")
        let trained = try CommandRunner.run("assistant", ["train", "--model", tiny, "--examples", examples, "--out", first.path, "--threads", "1"])
        #expect(trained.status == 0, "\(trained.stderr)")
        try FileManager.default.copyItem(at: first, to: second)
        try Data("\nSecond version.\n".utf8).write(to: second.appendingPathComponent("MODEL_CARD.md"))  // other content, other id
        #expect(try Self.run("assistant", ["keys", "init"], home: home).status == 0)
        let kb = Fixtures.repositoryRoot.appendingPathComponent("data/kb/lumen-help-center.jsonl").path
        #expect(try Self.run("assistant", ["index", "--kb", kb, "--model", tiny], home: home).status == 0)
        let a = try Self.run("assistant", ["models", "add", first.path], home: home).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let b = try Self.run("assistant", ["models", "add", second.path], home: home).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(a.count == 12 && b.count == 12 && a != b)
        #expect(try Self.run("assistant", ["models", "promote", a], home: home).status == 0)
        let token = try Self.run("assistant", ["tokens", "create", "--name", "load", "--role", "agent"], home: home).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let server = try await ServingProcess(
            "assistant", ["serve", "--home", home.path, "--model", tiny, "--threads", "1", "--port", "0", "--workers", "2", "--rate", "100000"],
            serving: #/assistant: serving on http://127\.0\.0\.1:(\d+) /#)
        defer { _ = server.stop() }
        let bound = server.port

        /// One request: its status and the model version of its answer.
        @Sendable func ask() async throws -> (status: Int, version: String?) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(bound)/v1/answer")!)
            request.httpMethod = "POST"
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"text": "my card is lost please"}"#.utf8)
            let (body, response) = try await URLSession.shared.data(for: request)
            let answer = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, answer?["modelVersion"] as? String)
        }
        let ids = try #require(try Self.json(try Self.run("assistant", ["models", "list", "--json"], home: home).stdout) as? [[String: Any]])
        let fullA = try #require(ids.first { $0["short"] as? String == a }?["id"] as? String)
        let fullB = try #require(ids.first { $0["short"] as? String == b }?["id"] as? String)
        let before = try await ask()
        #expect(before.status == 200 && before.version == fullA)

        let flags = Flags()
        let promoter = Task {
            try await Task.sleep(for: .milliseconds(500))
            let promoted = try Self.run("assistant", ["models", "promote", b], home: home)
            #expect(promoted.status == 0, "\(promoted.stderr)")
        }
        let seen = try await withThrowingTaskGroup(of: [(status: Int, version: String?)].self) { group in
            for _ in 0..<3 {
                group.addTask {
                    var results: [(status: Int, version: String?)] = []
                    while !flags.stop.withLock({ $0 }) {
                        let result = try await ask()
                        results.append(result)
                        if result.version == fullB { flags.switched.withLock { $0 = true } }
                    }
                    return results
                }
            }
            let end = ContinuousClock.now + .seconds(60)
            while !flags.switched.withLock({ $0 }), ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(500))  // more requests on the new version
            flags.stop.withLock { $0 = true }
            var all: [[(status: Int, version: String?)]] = []
            for try await results in group { all.append(results) }
            return all
        }
        try await promoter.value
        #expect(flags.switched.withLock { $0 }, "\(server.stderr)")
        for results in seen {
            #expect(results.allSatisfy { $0.status == 200 }, "\(results.map(\.status))")
            let versions = results.compactMap(\.version)
            #expect(versions.count == results.count)
            // A then B, never back: the versions seen are sorted by when they became active.
            let firstB = versions.firstIndex(of: fullB) ?? versions.count
            #expect(versions[..<firstB].allSatisfy { $0 == fullA } && versions[firstB...].allSatisfy { $0 == fullB }, "\(versions)")
        }
        #expect(seen.map(\.count).reduce(0, +) > 6)

        let (status, text) = server.stop()
        #expect(status == 0, "\(text)")
        #expect(text.contains("model version \(b) active (was \(a))"), "\(text)")
    }
}
