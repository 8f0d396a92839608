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
        CommandConfiguration(commandName: "verify",
                             abstract: "Check the hash chain and the checkpoints; exit 1 at the first broken link.")
    }

    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try Product.openStore(store.location(product: Product.name))
        let result = try opened.secure.audit.verify()
        if json {
            print(try JSONOutput.string(result))
        } else if let problem = result.firstProblem {
            print("BROKEN: \(problem) (\(result.entries) entries, head \(result.headSeq))")
        } else {
            print("intact: \(result.entries) entries, head \(result.headSeq), checkpoint \(result.checkpointSeq.map(String.init) ?? "none")")
        }
        if result.isIntact {
            try opened.secure.audit.append(AuditEvent(actor: commandActor, action: .auditUse, objectType: "audit_log",
                                                      objectID: "\(result.headSeq)", details: ["op": .string("verify")]))
        } else {
            throw ExitCode(1)
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
        let opened = try Product.openStore(store.location(product: Product.name))
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
        try opened.secure.audit.append(AuditEvent(actor: commandActor, action: .auditUse, objectType: "audit_log",
                                                  objectID: "show", details: ["entries": .int(entries.count)]))
    }
}

/// One entry as `audit show --json` prints it, with its ATNA event code.
private struct AuditRow: Encodable {
    let seq: Int64, time: String, actor: String, action: String, atna: String
    let objectType: String, objectID: String, outcome: String, details: String
}
