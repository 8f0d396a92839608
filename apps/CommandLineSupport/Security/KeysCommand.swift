public import ArgumentParser
import AuditLog
import Foundation
import RecordStore
import SuiteFoundation
import Vault

/// `keys init | rotate | status`.
public struct KeysCommand<Product: SecureProduct>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "keys", abstract: "Create, rotate and inspect the encryption keys of the store.",
            subcommands: [KeysInit<Product>.self, KeysRotate<Product>.self, KeysStatus<Product>.self])
    }

    public init() {}
}

struct KeysInit<Product: SecureProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "init",
            abstract: "Create the key file (32 random bytes, mode 0600; never overwrites) and the store's data keys.")
    }

    @OptionGroup var store: StoreOptions

    func run() throws {
        let location = store.location(product: Product.name)
        let fromEnvironment = ProcessInfo.processInfo.environment[Product.keysVariable].map { !$0.isEmpty } ?? false
        if !fromEnvironment {
            if FileManager.default.fileExists(atPath: location.database.path)
                && !FileManager.default.fileExists(atPath: location.keyFile.path) {
                throw KeysInitError.storeWithoutKeyFile(store: location.database.path, keyFile: location.keyFile.path)
            }
            try KeyringFile.create(at: location.keyFile, storeID: StoreLocation.newStoreID())
            print("created key file \(location.keyFile.path) (mode 0600) — keep a copy away from the store: without it the store cannot be read")
        }
        let opened = try Product.openStore(location, access: .create)
        try opened.secure.audit.append(AuditEvent(actor: commandActor, action: .keyManagement, objectType: "keyring",
                                                  objectID: "v\(opened.secure.keyring.activeVersion)", details: ["op": .string("init")]))
        print("store ready at \(location.database.path)")
    }
}

struct KeysRotate<Product: SecureProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "rotate",
            abstract: "Add a key version and re-wrap every data key (readers keep working).",
            discussion: """
                A rotation that was interrupted is finished first instead of adding another version. \
                --reencrypt also moves every sealed value to a fresh data key, in batches that survive a kill: \
                run the command again to resume. With keys in $\(Product.keysVariable), add the new version there yourself \
                and run this command to re-wrap.
                """)
    }

    @OptionGroup var store: StoreOptions

    @Flag(help: "Also re-encrypt every sealed value with a fresh data key (old data keys are then deleted).")
    var reencrypt = false

    @Option(help: "Rows per transaction when re-encrypting.")
    var batchSize = 1000

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let location = store.location(product: Product.name)
        var opened = try Product.openStore(location, access: .ordinary)
        let status = try opened.secure.vault.status()
        let fromEnvironment = opened.secure.keyring.source == Product.keysVariable
        if !fromEnvironment && status.wrappedUnderOlderKEK == 0 && status.retiringFieldKeys == 0 {
            let keyring = opened.secure.keyring.addingVersion()
            try KeyringFile.write(keyring, to: location.keyFile)
            print("added key version \(keyring.activeVersion) to \(location.keyFile.path)")
            opened = try Product.openStore(location, access: .ordinary)
        }
        let rewrapped = try opened.secure.vault.rewrapAll()
        print("re-wrapped \(rewrapped) data keys under key version \(opened.secure.keyring.activeVersion)")
        var moved = 0
        if reencrypt {
            let terminal = standardErrorIsTerminal
            moved = try opened.secure.vault.reencrypt(columns: opened.sealedColumns, batchSize: batchSize) { done in
                if terminal { FileHandle.standardError.write(Data("\rre-encrypted \(done) values".utf8)) }
            }
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            print("re-encrypted \(moved) values with a fresh data key; old data keys deleted")
        }
        try opened.secure.audit.append(AuditEvent(
            actor: commandActor, action: .keyManagement, objectType: "keyring",
            objectID: "v\(opened.secure.keyring.activeVersion)",
            details: ["op": .string(reencrypt ? "rotate+reencrypt" : "rotate"), "rewrapped": .int(rewrapped), "reencrypted": .int(moved)]))
    }
}

struct KeysStatus<Product: SecureProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "status", abstract: "Show key versions and data keys by state.")
    }

    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try Product.openStore(store.location(product: Product.name), access: .inspect)
        let status = try opened.secure.vault.status()
        if json {
            print(try JSONOutput.string(status))
            return
        }
        print("keyring: \(opened.secure.keyring.source), versions \(status.keyringVersions), active \(status.activeKEKVersion)")
        for (key, count) in status.dataKeys.sorted(by: { $0.key < $1.key }) { print("  \(key): \(count)") }
        if status.wrappedUnderOlderKEK > 0 {
            print("unfinished rotation: \(status.wrappedUnderOlderKEK) data keys under an older version — run `keys rotate`")
        }
        if status.retiringFieldKeys > 0 {
            print("unfinished re-encryption — run `keys rotate --reencrypt` to resume")
        }
    }
}

/// Why `keys init` refused before writing anything.
enum KeysInitError: Error, CustomStringConvertible {
    /// A store exists but its key file does not: a new key could never open it.
    case storeWithoutKeyFile(store: String, keyFile: String)

    var description: String {
        switch self {
        case .storeWithoutKeyFile(let store, let keyFile):
            return "\(store) exists but its key file \(keyFile) does not: restore the key file (or point --key-file at it). "
                + "No key was created: a new key could not open this store"
        }
    }
}
