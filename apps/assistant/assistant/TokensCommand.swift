public import ArgumentParser
import AssistantCore
import CommandLineSupport
import Foundation

struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Manage the HTTP service's bearer tokens (stored hashed).",
        subcommands: [Create.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token; it is printed once.")
        @Option var name: String
        @Option(help: "agent or admin.") var role: AssistantStore.Role
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if name.isEmpty { throw ValidationError("--name must not be empty") }
        }

        func run() throws {
            let secret = try AssistantStore(location: store.location(product: AssistantProduct.name))
                .createToken(name: name, role: role, actor: commandActor)
            print(secret)
            printError("token '\(name)' (\(role.rawValue)) created; it is shown only this once")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by name.")
        @Option var name: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            guard try AssistantStore(location: store.location(product: AssistantProduct.name)).revokeToken(name: name, actor: commandActor)
            else { throw ValidationError("no active token named '\(name)'") }
            print("revoked \(name)")
        }
    }
}

extension AssistantStore.Role: ExpressibleByArgument {}
