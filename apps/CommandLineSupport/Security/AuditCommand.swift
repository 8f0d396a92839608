public import ArgumentParser
import AuditLog
import Foundation
import RecordStore
import SuiteFoundation

/// `audit verify | show`.
public struct AuditCommand<Product: SecureProduct>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "audit", abstract: "Verify and list the tamper-evident audit trail.",
                             subcommands: [AuditVerify<Product>.self, AuditShow<Product>.self])
    }

    public init() {}
}

struct AuditVerify<Product: SecureProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "verify",
            abstract: "Check the hash chain, the checkpoints and the witnesses; exit 1 at the first problem.",
            discussion: """
                The default witness file (outside the store's folder) is always compared. --witness adds files \
                that hold witness lines: a file witness on another volume, the file a syslog daemon writes, what an \
                HTTP collector stored. A log or checkpoint file shorter than a witness is reported with the missing entries.
                """)
    }

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("witness"), help: ArgumentHelp("A file of witness lines to compare (repeatable).", valueName: "file"))
    var witnesses: [String] = []
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try Product.openStore(store.location(product: Product.name), access: .inspect)
        let result = try opened.secure.audit.verify(witnessFiles: witnesses.map { URL(fileURLWithPath: $0) })
        if let problem = result.firstProblem {
            print(json ? try JSONOutput.string(result) : "BROKEN: \(problem) (\(result.entries) entries, head \(result.headSeq))")
            throw ExitStatus.failure
        }
        // Recorded before it is reported, so "intact" is never followed by a failure.
        do {
            try opened.secure.audit.append(AuditEvent(actor: commandActor, action: .auditUse, objectType: "audit_log",
                                                      objectID: "\(result.headSeq)", details: ["op": .string("verify")]))
        } catch {
            throw AuditVerifyError.notRecorded(entries: result.entries, reason: "\(error)")
        }
        if json {
            print(try JSONOutput.string(result))
        } else {
            let witness = result.witnessSeq.map { ", witness \($0)" } ?? ""
            print("intact: \(result.entries) entries, head \(result.headSeq), checkpoint \(result.checkpointSeq.map(String.init) ?? "none")\(witness)")
        }
    }
}

enum AuditVerifyError: Error, CustomStringConvertible {
    /// The chain checked out but the `audit.use` entry could not be written (e.g. a full disk).
    case notRecorded(entries: Int, reason: String)

    var description: String {
        switch self {
        case .notRecorded(let entries, let reason):
            return "the chain of \(entries) entries checked out, but this verification could not be recorded in it: \(reason)"
        }
    }
}

struct AuditShow<Product: SecureProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: "List audit entries.")
    }

    @OptionGroup var store: StoreOptions
    @Option(help: "Only entries at or after this ISO 8601 time (e.g. 2026-11-30T00:00:00Z).") var since: String?
    @Option(help: "Only entries of this actor.") var actor: String?
    @Option(help: ArgumentHelp("Only entries of this action (\(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))).")) var action: String?
    @Option(help: "At most this many entries.") var limit: Int?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if let since, Timestamp.date(since) == nil {
            throw ValidationError("--since '\(since)' is not an ISO 8601 time such as 2026-11-30T00:00:00Z")
        }
        if let action, AuditAction(rawValue: action) == nil {
            throw ValidationError("--action '\(action)' is not one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let opened = try Product.openStore(store.location(product: Product.name), access: .inspect)
        let query = AuditLog.Query(since: since.flatMap { Timestamp.date($0) }, actor: actor,
                                   action: action.flatMap(AuditAction.init(rawValue:)), limit: limit)
        let entries = try opened.secure.audit.entries(matching: query)
        if json {
            let encoder = JSONOutput.encoder()
            let rows = entries.map { e in
                AuditRow(seq: e.seq, time: e.time, actor: e.actor, action: e.action,
                    atna: AuditAction(rawValue: e.action)?.atnaEvent.code ?? "", objectType: e.objectType,
                    objectID: e.objectID, outcome: e.outcome, details: e.details)
            }
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            for e in entries {
                print("\(e.seq)\t\(e.time)\t\(e.actor)\t\(e.action)\t\(e.objectType)/\(e.objectID)\t\(e.outcome)\t\(e.details)")
            }
        }
        // A listing of a broken trail is shown but not appended to it.
        do {
            try opened.secure.audit.checkHead()
        } catch {
            printError("\(Product.name): warning: \(error)")
            throw ExitStatus.failure
        }
        try opened.secure.audit.append(AuditEvent(actor: commandActor, action: .auditUse, objectType: "audit_log",
                                                  objectID: "show", details: ["entries": .int(entries.count)]))
    }
}

/// One entry as `audit show --json` prints it, with its ATNA event code.
private struct AuditRow: Encodable {
    let seq: Int64, time: String, actor: String, action: String, atna: String
    let objectType: String, objectID: String, outcome: String, details: String
}
