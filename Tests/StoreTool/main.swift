// store-tool: drives a generic test store (product "test", keys in TEST_KEYS or HOME's key
// file) from a second process, for tests that need concurrency or a kill -9 part-way.
//
//   store-tool audit-append HOME COUNT BATCH ACTOR   append COUNT entries in batches of BATCH
//   store-tool reencrypt HOME BATCH                  re-encrypt the `people` test table; prints
//                                                    `progress N` after each committed batch
import AuditLog
import Foundation
import RecordStore
import Vault

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("store-tool: \(message)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
/// Opens the test store of `home`; its witness goes where `Fixtures.witnessState` puts the tests'.
func openStore(_ home: String) throws -> SecureStore {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("suite-tests-state").path
    return try SecureStore(product: "test", location: StoreLocation(home: URL(fileURLWithPath: home), environment: ["XDG_STATE_HOME": state]),
                           keysVariable: "TEST_KEYS", migrations: { _ in })
}

do {
    switch arguments.first {
    case "audit-append":
        guard arguments.count == 5, let count = Int(arguments[2]), let batch = Int(arguments[3]), batch > 0
        else { fail("usage: audit-append HOME COUNT BATCH ACTOR") }
        let store = try openStore(arguments[1])
        for start in stride(from: 0, to: count, by: batch) {
            try store.audit.append((start..<min(start + batch, count)).map {
                AuditEvent(actor: arguments[4], action: .inference, objectType: "test", objectID: "\($0)")
            })
        }
    case "reencrypt":
        guard arguments.count == 3, let batch = Int(arguments[2]), batch > 0 else { fail("usage: reencrypt HOME BATCH") }
        let store = try openStore(arguments[1])
        let columns = [SealedColumn(table: "people", column: "name_sealed", rowColumn: "id"),
                       SealedColumn(table: "people", column: "email_sealed", rowColumn: "id")]
        func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }  // unbuffered
        let moved = try store.vault.reencrypt(columns: columns, batchSize: batch) { say("progress \($0)") }
        say("moved \(moved)")
    default:
        fail("usage: store-tool audit-append|reencrypt …")
    }
} catch {
    FileHandle.standardError.write(Data("store-tool: error: \(error)\n".utf8))
    exit(1)
}
