public import ArgumentParser
import AuditLog
import Foundation
import RecordStore
import SuiteFoundation

/// `records export`.
public struct RecordsCommand<Product: SecureProduct>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "records", abstract: "Export the store's records, or verify them.",
                             subcommands: [RecordsExport<Product>.self, RecordsVerify<Product>.self])
    }

    public init() {}
}

struct RecordsExport<Product: SecureProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "export",
            abstract: "Write every record as JSON lines: decrypted, or with --deidentify without identifying fields.",
            discussion: "The file is written whole or not at all (temporary file, then rename), with mode 0600. The export is audited.")
    }

    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("Output JSONL file.", valueName: "file")) var out: String
    @Flag(help: "Leave out identifying fields (pseudonyms instead).") var deidentify = false
    @Flag(help: "Replace OUT if it exists.") var force = false

    func validate() throws {
        if !force && FileManager.default.fileExists(atPath: out) {
            throw ValidationError("\(out) exists; pass --force to replace it")
        }
    }

    func run() throws {
        let opened = try Product.openStore(store.location(product: Product.name), access: .ordinary)
        let target = URL(fileURLWithPath: out)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(getpid()).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporary.path)
        else { throw ValidationError("cannot create \(temporary.path)") }
        let count: Int
        do {
            count = try opened.exportRecords(to: { try handle.write(contentsOf: $0) }, deidentify: deidentify)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, target.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
            }
        } catch {
            try? handle.close()
            unlink(temporary.path)
            try? opened.secure.audit.append(AuditEvent(actor: commandActor, action: .recordExport, objectType: "store",
                                                       objectID: Product.name, outcome: .failure))
            throw error
        }
        let verification = try opened.verifyRecords()
        try opened.secure.audit.append(AuditEvent(
            actor: commandActor, action: .recordExport, objectType: "store", objectID: Product.name,
            outcome: verification.isIntact ? .success : .failure,
            details: verification.auditDetails.merging(["records": .int(count), "deidentified": .bool(deidentify)]) { $1 }))
        print("exported \(count) records to \(out)\(deidentify ? " (de-identified)" : "")")
        try report(verification, productName: Product.name)
    }
}

/// `records verify`.
struct RecordsVerify<Product: SecureProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "verify",
            abstract: "Check every record's integrity tag, and that every record the audit trail created still exists; exit 1 otherwise.")
    }

    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try Product.openStore(store.location(product: Product.name), access: .ordinary)
        let verification = try opened.verifyRecords()
        try opened.secure.audit.append(AuditEvent(
            actor: commandActor, action: .recordRead, objectType: "store", objectID: Product.name,
            outcome: verification.isIntact ? .success : .failure,
            details: verification.auditDetails.merging(["op": .string("verify")]) { $1 }))
        if json { print(try JSONOutput.string(verification)) }
        try report(verification, productName: Product.name, quiet: json)
        if !json { print("records intact: \(verification.checked) checked, none missing") }
    }
}

extension RecordVerification {
    /// Counts for an audit entry (ids stay out of the details).
    var auditDetails: [String: AuditValue] {
        ["checked": .int(checked), "integrity_failed": .int(integrityFailed.count), "missing": .int(missing.count)]
    }
}

/// Prints the findings (one line per record, unless `quiet`) and throws exit 1 when any record failed.
func report(_ result: RecordVerification, productName: String, quiet: Bool = false) throws {
    if !quiet {
        for row in result.integrityFailed { print("integrity failed: \(row) (edited outside \(productName))") }
        for record in result.missing { print("missing: \(record) (created per the audit trail, no longer stored)") }
    }
    guard result.isIntact else {
        printError("\(productName): error: \(result.integrityFailed.count) records failed their integrity check, \(result.missing.count) are missing")
        throw ExitStatus.failure
    }
}
