public import ArgumentParser
import Foundation
public import RecordStore
import SuiteFoundation

/// A product with a model registry: what a version of its model is (the check `add` runs).
public protocol RegistryProduct: SecureProduct {
    /// What one version holds, for the help (e.g. "an intent-classifier folder").
    static var modelFolderDescription: String { get }
    /// The registry of the store at `location` (opened with its keys).
    static func registry(_ location: StoreLocation) throws -> ModelRegistry
}

/// `models list | add | show | promote | rollback | retire`: the product's model versions and the
/// active one (docs/LIFECYCLE.md).
public struct ModelsCommand<Product: RegistryProduct>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "models", abstract: "Manage the model versions and choose the active one (docs/LIFECYCLE.md).",
            subcommands: [ModelsList<Product>.self, ModelsAdd<Product>.self, ModelsShow<Product>.self, ModelsPromote<Product>.self,
                          ModelsRollback<Product>.self, ModelsRetire<Product>.self])
    }

    public init() {}
}

struct ModelsList<Product: RegistryProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: "List the versions, oldest first; * marks the active one.")
    }

    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let versions = try Product.registry(store.location(product: Product.name)).versions()
        if json { return print(try JSONOutput.string(versions)) }
        if versions.isEmpty { return printError("no model versions yet: add one with `\(Product.name) models add DIR`") }
        for v in versions {
            print("\(v.active ? "*" : " ") \(v.short)  \(v.status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(v.addedAt)  "
                  + "\(v.files) files, \(ModelsShow<Product>.size(v.bytes))\(v.card ? ", model card" : "")")
        }
    }
}

struct ModelsAdd<Product: RegistryProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "add", abstract: "Store a model folder as a version (read-only, content-addressed).",
                             discussion: "DIR is \(Product.modelFolderDescription). Adding the same content again changes nothing.")
    }

    @Argument(help: ArgumentHelp("The model folder.", valueName: "dir")) var folder: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        let (version, added) = try Product.registry(store.location(product: Product.name))
            .add(URL(fileURLWithPath: folder, isDirectory: true), actor: commandActor)
        print(version.short)
        printError(added ? "added version \(version.short) (\(version.files) files, \(ModelsShow<Product>.size(version.bytes)))"
                         : "version \(version.short) is stored already (\(version.status)); nothing changed")
    }
}

struct ModelsShow<Product: RegistryProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: "Show a version: files, whether they are intact, its promotions and model card.")
    }

    @Argument(help: ArgumentHelp("A version id or an unambiguous prefix of one.", valueName: "version")) var version: String
    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    struct Shown: Encodable {
        let version: ModelRegistry.Version
        let folder: String
        let intact: Bool
        let files: [ModelVersionContent.File]
        let promotions: [ModelRegistry.Change]
    }

    func run() throws {
        let registry = try Product.registry(store.location(product: Product.name))
        let v = try registry.version(version)
        let folder = registry.folder(of: v.id)
        let content = try? ModelVersionContent(folder: folder)
        let shown = Shown(version: v, folder: folder.path, intact: content?.id == v.id, files: content?.files ?? [],
                          promotions: try registry.history().filter { $0.to == v.id || $0.from == v.id })
        if json { return print(try JSONOutput.string(shown)) }
        print("version \(v.id)\n  status   \(v.status)\(v.retiredAt.map { " since \($0)" } ?? "")\n  added    \(v.addedAt) by \(v.addedBy)")
        print("  folder   \(folder.path) (\(shown.intact ? "intact" : "MISSING OR CHANGED"))")
        for file in shown.files { print("  file     \(file.path) (\(Self.size(file.bytes)))") }
        for change in shown.promotions {
            print("  \(change.op.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(change.at) by \(change.actor): "
                  + "\(change.from.map(ModelRegistry.short) ?? "none") → \(ModelRegistry.short(change.to))")
        }
        if v.card, let card = try? String(contentsOf: folder.appendingPathComponent(ModelRegistry.cardFile), encoding: .utf8) {
            print("\n" + card)
        }
        if !shown.intact { throw ExitStatus.failure }
    }

    static func size(_ bytes: Int64) -> String {
        bytes < 1 << 20 ? String(format: "%.1f KiB", Double(bytes) / 1024) : String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}

struct ModelsPromote<Product: RegistryProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "promote", abstract: "Make a version the active one (audited).")
    }

    @Argument(help: ArgumentHelp("A version id or an unambiguous prefix of one.", valueName: "version")) var version: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        ModelsRollback<Product>.report(try Product.registry(store.location(product: Product.name)).promote(version, actor: commandActor))
    }
}

struct ModelsRollback<Product: RegistryProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "rollback", abstract: "Return to the version active before the current one (audited).")
    }

    @OptionGroup var store: StoreOptions

    func run() throws {
        Self.report(try Product.registry(store.location(product: Product.name)).rollback(actor: commandActor))
    }

    static func report(_ change: ModelRegistry.Change) {
        print("\(change.op == .promote ? "promoted" : "rolled back"): active version \(ModelRegistry.short(change.to))"
              + " (was \(change.from.map(ModelRegistry.short) ?? "none"))")
    }
}

struct ModelsRetire<Product: RegistryProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "retire", abstract: "Retire a version that is not active: it can no longer be promoted (audited).")
    }

    @Argument(help: ArgumentHelp("A version id or an unambiguous prefix of one.", valueName: "version")) var version: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        let retired = try Product.registry(store.location(product: Product.name)).retire(version, actor: commandActor)
        print("retired \(retired.short)")
    }
}
