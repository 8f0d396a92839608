public import ArgumentParser
public import RecordStore

/// A product with an HTTP service: its token roles and where its tokens live.
public protocol ServiceProduct: SecureProduct {
    associatedtype Role: RawRepresentable & Sendable & CaseIterable & ExpressibleByArgument where Role.RawValue == String
    /// The tokens of the store at `location` (opened with its keys).
    static func tokens(_ location: StoreLocation) throws -> APITokens<Role>
}

/// `tokens create | revoke`: the service's bearer tokens, stored hashed.
public struct TokensCommand<Product: ServiceProduct>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "tokens", abstract: "Manage the HTTP service's bearer tokens (stored hashed).",
                             subcommands: [TokensCreate<Product>.self, TokensRevoke<Product>.self])
    }

    public init() {}
}

struct TokensCreate<Product: ServiceProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "create", abstract: "Create a token; it is printed once.")
    }

    @Option var name: String
    @Option(help: ArgumentHelp("\(Product.Role.allCases.map(\.rawValue).joined(separator: ", ")).")) var role: Product.Role
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if name.isEmpty { throw ValidationError("--name must not be empty") }
    }

    func run() throws {
        let secret = try Product.tokens(store.location(product: Product.name)).create(name: name, role: role, actor: commandActor)
        print(secret)
        printError("token '\(name)' (\(role.rawValue)) created; it is shown only this once")
    }
}

struct TokensRevoke<Product: ServiceProduct>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by name.")
    }

    @Option var name: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        guard try Product.tokens(store.location(product: Product.name)).revoke(name: name, actor: commandActor) else {
            throw ValidationError("no active token named '\(name)'")
        }
        print("revoked \(name)")
    }
}
