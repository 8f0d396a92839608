public import ArgumentParser
import AuditLog
import Foundation
import RecordStore

/// `records export`.
public struct RecordsCommand<Product: SecureProduct>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "records", abstract: "Export the store's records.",
                             subcommands: [RecordsExport<Product>.self])
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
        try opened.secure.audit.append(AuditEvent(
            actor: commandActor, action: .recordExport, objectType: "store", objectID: Product.name,
            details: ["records": .int(count), "deidentified": .bool(deidentify)]))
        print("exported \(count) records to \(out)\(deidentify ? " (de-identified)" : "")")
    }
}
