import AssistantCore
import CommandLineSupport
import RecordStore

public import ArgumentParser

/// Wires the assistant's store into the shared `keys`, `audit`, `records` and `tokens` commands.
enum AssistantProduct: ServiceProduct {
    static let name = AssistantStore.product
    static func openStore(_ location: StoreLocation, access: SecureStore.Access) throws -> any RecordExporting {
        try AssistantStore(location: location, access: access)
    }

    static func tokens(_ location: StoreLocation) throws -> APITokens<AssistantStore.Role> {
        try AssistantStore(location: location).tokens
    }
}

extension AssistantStore.Role: ExpressibleByArgument {}
