import AuditLog
import Foundation
import GRDB
import ModelRuntime
import RecordStore
import TestSupport
import Testing
import Vault
@testable import AssistantCore

/// Which failures `assistant batch --resume` runs again: the machine's (disk full, I/O error,
/// busy, locked or read-only store), never the row's own.
struct RowFailureTests {
    @Test func storeAndFileSystemTroubleIsTransientABadRowIsNot() {
        for code in [ResultCode.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_IOERR_WRITE, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_READONLY] {
            #expect(RowFailure.isTransient(DatabaseError(resultCode: code)), "\(code)")
        }
        #expect(RowFailure.isTransient(AuditError.checkpointIO(path: "/x", reason: "No space left on device")))
        #expect(RowFailure.isTransient(POSIXError(.ENOSPC)) && RowFailure.isTransient(NSError(domain: NSPOSIXErrorDomain, code: Int(EIO))))
        #expect(RowFailure.isTransient(CocoaError(.fileWriteOutOfSpace)))
        for error: any Error in [BatchRowError.unusable("invalid JSON"), TicketError.empty, TicketError.tooLong(characters: 9, limit: 8),
                                 DatabaseError(resultCode: .SQLITE_CONSTRAINT), DatabaseError(resultCode: .SQLITE_CORRUPT)] {
            #expect(!RowFailure.isTransient(error), "\(error)")
        }
    }
}

/// `BatchRunner` with the store refusing writes part-way (a read-only store, as on a remounted
/// disk): those rows become `"retry": true` error lines; `--resume` runs exactly them again,
/// keeps every other line byte for byte, and ends with every usable row answered.
@Suite(.enabled(if: Fixtures.miniLMInstalled, "all-MiniLM-L6-v2 is not installed: run `make setup`"))
struct BatchRetryTests {
    @Test func resumeRetriesTransientFailuresAndKeepsPermanentOnes() throws {
        let (home, encoder, index, _) = try DenseRankingTests.demoIndex()
        defer { try? FileManager.default.removeItem(at: home) }
        let location = StoreLocation(home: home)
        try KeyringFile.create(at: location.keyFile)
        let store = try AssistantStore(location: location, environment: [:])
        let answerer = try Answerer(index: index, encoder: encoder, store: store, modelVersion: "m")
        let rows = ["{\"text\": \"my card never arrived\"}", "{\"text\": \"how do I freeze my card\"}", "not json",
                    "{\"text\": \"I want to close my account\"}", "{\"text\": \"\"}", "{\"text\": \"why was my payment declined\"}"]
        let input = home.appendingPathComponent("tickets.jsonl"), output = home.appendingPathComponent("answers.jsonl")
        try (rows.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let runner = BatchRunner(answerer: answerer, actor: "test")
        func readOnly(_ on: Bool) {
            try! store.secure.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = \(on ? "ON" : "OFF")") }
        }

        var failures: [BatchRunner.Failure] = []
        let first = try runner.run(source: TicketSource(path: input.path), output: output, resume: false,
                                   progress: { if $0.rows == 2 { readOnly(true) } }, failure: { failures.append($0) })
        readOnly(false)
        #expect(first.rows == 6 && first.answered + first.escalated == 2 && first.failed == 4 && first.retryable == 2)
        #expect(failures.map(\.row) == [3, 4, 5, 6] && failures.map(\.retryable) == [false, true, false, true])
        #expect(failures[1].reason.contains("SQLite error 8"), "\(failures[1].reason)")
        let before = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
        let retry = try before.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["retry"] as? Bool }
        #expect(retry == [nil, nil, nil, true, nil, true])

        let resumed = try runner.run(source: TicketSource(path: input.path), output: output, resume: true)
        #expect(resumed.rows == 6 && resumed.skipped == 4 && resumed.retried == 2 && resumed.failedEarlier == 2)
        #expect(resumed.failed == 0 && resumed.answered + resumed.escalated == 2)
        let after = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(after.count == 6 && [0, 1, 2, 4].allSatisfy { after[$0] == before[$0] })
        for i in [3, 5] { #expect(after[i].contains("\"ticket_id\"") && !after[i].contains("retry"), "\(after[i])") }
        #expect(!FileManager.default.fileExists(atPath: BatchOutputFile.temporary(for: output).path))
        let counts = try store.secure.database.read { db in
            try ["tickets", "answers"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
        }
        #expect(counts == [4, 4])
        #expect(try store.secure.audit.entries(matching: .init(action: .recordCreate)).count == 4)

        // A resume with nothing to retry leaves the output as it is.
        let again = try runner.run(source: TicketSource(path: input.path), output: output, resume: true)
        #expect(again.skipped == 6 && again.retried == 0 && again.failedEarlier == 2)
        #expect(try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init) == after)
    }
}
