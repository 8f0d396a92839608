public import ArgumentParser
import Foundation
public import RecordStore

/// What the shared `keys`, `audit` and `records` commands need to know about a product.
public protocol SecureProduct {
    /// The product's name: default home `~/.local/share/<name>`, variables `<NAME>_HOME`,
    /// `<NAME>_KEY_FILE`, `<NAME>_KEYS`.
    static var name: String { get }
    /// Opens (creating when needed) the product's store.
    static func openStore(_ location: StoreLocation) throws -> any RecordExporting
}

extension SecureProduct {
    static var keysVariable: String { "\(name.uppercased())_KEYS" }
}

/// `--home` and `--key-file`, shared by every command that opens a product store.
public struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Folder of the store, audit checkpoints and default key file (default: $<PRODUCT>_HOME, then ~/.local/share/<product>).",
        valueName: "dir"))
    public var home: String?

    @Option(name: .customLong("key-file"), help: ArgumentHelp(
        "Key file (default: $<PRODUCT>_KEY_FILE, then <home>/keyring.json); $<PRODUCT>_KEYS overrides both.",
        valueName: "file"))
    public var keyFile: String?

    public init() {}

    public func location(product: String) -> StoreLocation {
        StoreLocation.resolve(product: product, home: home, keyFile: keyFile)
    }
}

/// The user running a command, for audit entries.
public var commandActor: String { ProcessInfo.processInfo.environment["USER"].map { "cli:\($0)" } ?? "cli:uid\(getuid())" }
