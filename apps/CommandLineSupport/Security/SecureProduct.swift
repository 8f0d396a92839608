public import ArgumentParser
import Foundation
public import RecordStore

/// What the shared `keys`, `audit` and `records` commands need to know about a product.
public protocol SecureProduct {
    /// The product's name: default home `~/.local/share/<name>`, variables `<NAME>_HOME`,
    /// `<NAME>_KEY_FILE`, `<NAME>_KEYS`.
    static var name: String { get }
    /// Opens (creating when needed) the product's store.
    static func openStore(_ location: StoreLocation, access: SecureStore.Access) throws -> any RecordExporting
}

extension SecureProduct {
    static var keysVariable: String { "\(name.uppercased())_KEYS" }
}

/// `--home` and `--key-file`, shared by every command that opens a product store.
public struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Folder of the store, audit checkpoints and default key file (default: $\(Self.variable("HOME")), then ~/.local/share/\(Self.product)).",
        valueName: "dir"))
    public var home: String?

    @Option(name: .customLong("key-file"), help: ArgumentHelp(
        "Key file (default: $\(Self.variable("KEY_FILE")), then <home>/keyring.json); $\(Self.variable("KEYS")) overrides both.",
        valueName: "file"))
    public var keyFile: String?

    /// The product the help describes: the running executable's name (`triage`, `assistant`),
    /// which is also the name of its home folder and the prefix of its variables.
    static var product: String { ProcessInfo.processInfo.processName }

    /// A product variable as the help spells it, e.g. `TRIAGE_HOME`.
    static func variable(_ suffix: String) -> String { "\(product.uppercased())_\(suffix)" }

    public init() {}

    public func location(product: String) -> StoreLocation {
        StoreLocation.resolve(product: product, home: home, keyFile: keyFile)
    }

    /// The store of another home named on the command line (`merge`), opened with `keyFile` or
    /// the home's own keyring.json.
    /// - Throws: `ExitStatus.failure`, after naming the home on stderr, when it holds no store.
    public static func otherHome(_ path: String, keyFile: String?, product: String) throws -> StoreLocation {
        let location = StoreLocation(home: URL(fileURLWithPath: path), keyFile: keyFile.map { URL(fileURLWithPath: $0) })
        guard FileManager.default.fileExists(atPath: location.database.path) else {
            printError("\(product): error: \(path): no \(product) store here")
            throw ExitStatus.failure
        }
        return location
    }
}

/// The user running a command, for audit entries.
public var commandActor: String { ProcessInfo.processInfo.environment["USER"].map { "cli:\($0)" } ?? "cli:uid\(getuid())" }
