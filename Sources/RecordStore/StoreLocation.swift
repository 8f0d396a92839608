public import Foundation

/// Where a product keeps its state: `<home>/store.sqlite` (WAL), `<home>/audit.checkpoints`,
/// and by default the key file `<home>/keyring.json`; plus the audit witness folder, which is
/// outside the home on purpose (`$XDG_STATE_HOME/suite-audit-witness`, by default
/// `~/.local/state/suite-audit-witness`).
///
/// The home comes from `--home`, else `$<PRODUCT>_HOME`, else `$XDG_DATA_HOME/<product>`
/// (`~/.local/share/<product>`). The key file can live elsewhere — which is better: a stolen
/// disk image then holds no key — through `--key-file` or `$<PRODUCT>_KEY_FILE`; containers can
/// pass the keyring itself in `$<PRODUCT>_KEYS`.
public struct StoreLocation: Sendable, Equatable {
    public let home: URL
    public let keyFile: URL
    /// The folder of the default witness file, `<product>-<store id>.witness`, for a new store;
    /// a store keeps the folder it was made with (recorded with its identity).
    public let witnessFolder: URL

    public var database: URL { home.appendingPathComponent("store.sqlite") }
    package var checkpointFile: URL { home.appendingPathComponent("audit.checkpoints") }

    public init(home: URL, keyFile: URL? = nil, witnessFolder: URL? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.home = home
        self.keyFile = keyFile ?? home.appendingPathComponent("keyring.json")
        self.witnessFolder = witnessFolder ?? Self.defaultWitnessFolder(environment: environment)
    }

    /// A fresh store identity (a random UUID, lower case), as `keys init` records it.
    public static func newStoreID() -> String { UUID().uuidString.lowercased() }

    /// `$XDG_STATE_HOME/suite-audit-witness`, else `~/.local/state/suite-audit-witness`.
    static func defaultWitnessFolder(environment: [String: String]) -> URL {
        let state = environment["XDG_STATE_HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/state", isDirectory: true)
        return state.appendingPathComponent("suite-audit-witness", isDirectory: true)
    }

    /// Resolves the documented order of flags and environment variables for `product`.
    public static func resolve(product: String, home: String?, keyFile: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreLocation {
        let prefix = product.uppercased()
        let homePath = home ?? environment["\(prefix)_HOME"] ?? {
            let data = environment["XDG_DATA_HOME"].map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
            return data.appendingPathComponent(product).path
        }()
        let keyPath = keyFile ?? environment["\(prefix)_KEY_FILE"]
        return StoreLocation(home: URL(fileURLWithPath: homePath, isDirectory: true),
                             keyFile: keyPath.map { URL(fileURLWithPath: $0) }, environment: environment)
    }
}
